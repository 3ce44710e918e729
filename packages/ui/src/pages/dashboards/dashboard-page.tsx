import type { PageProps } from '../registry.ts';

export default function DashboardPage({ params }: PageProps) {
  return (
    <div class="page">
      <h1>{params.uid}</h1>
    </div>
  );
}
