import { useEffect } from 'preact/hooks';
import { navigate } from '../../router.ts';
import type { PageProps } from '../registry.ts';
import { exploreUrlFromPrometheusLink } from './prometheus-link.ts';

/** `/graph?g0.expr=…` (Prometheus's UI links, alert generator URLs): forwards to Explore. */
export default function PrometheusLinkPage({ query }: PageProps) {
  useEffect(() => navigate(exploreUrlFromPrometheusLink(query), { replace: true }), [query.toString()]);
  return <div class="loading">Opening in Explore…</div>;
}
