import type { PageProps } from '../registry.ts';

export default function ExplorePage(_props: PageProps) {
  return (
    <div class="page">
      <h1>Explore</h1>
    </div>
  );
}
