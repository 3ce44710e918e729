import type { PageProps } from '../registry.ts';

export default function DashboardListPage(_props: PageProps) {
  return (
    <div class="page">
      <h1>Dashboards</h1>
    </div>
  );
}
