import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatExpr, parseExpr, prettifyExpr } from './index.ts';

/**
 * Every PromQL expression of the seed guides (the alert rules and Grafana dashboards that Vigil's first
 * users run): each must parse, and print to text that parses back to the same expression.
 */
const SEED_QUERIES: readonly string[] = [
  'rate(metamask_api_requests_total[5m])',
  'histogram_quantile(0.95, rate(metamask_api_request_duration_seconds_bucket[5m]))',
  'metamask_user_sessions_active',
  'rate(metamask_api_requests_total{status_code=~"4..|5.."}[5m])',
  'rate(metamask_auth_failures_total[5m])',
  'rate(metamask_suspicious_transactions_detected_total[5m])',
  'rate(metamask_api_requests_total{status_code="429"}[5m])',
  'rate(metamask_api_requests_total{status_code=~"5.."}[5m]) > 0.1',
  'rate(metamask_auth_failures_total[5m]) > 0.1',
  'rate(metamask_suspicious_transactions_detected_total[5m]) > 0.05',
  'up{job="metamask-integration"} == 0',
  'rate(http_requests_total{status=~"5.."}[5m]) > 0.05',
  'histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m])) > 1.0',
  'db_connection_pool{status="overflow"} > 30',
  'rate(auth_failures_total[5m]) > 10',
  'rate(cache_misses_total[5m]) /\n(rate(cache_hits_total[5m]) + rate(cache_misses_total[5m])) > 0.8',
  'up{job="quant-backend"} == 0',
  'up{job="postgres"} == 0',
  'histogram_quantile(0.95, rate(db_query_duration_seconds_bucket[5m])) > 1.0',
  'up{job="redis"} == 0',
  'redis_memory_used_bytes / redis_memory_max_bytes > 0.9',
  'rate(http_requests_total[5m])',
  'histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m]))',
  'rate(http_requests_total{status=~"5.."}[5m])',
  'db_connection_pool',
  'rate(cache_hits_total[5m]) / (rate(cache_hits_total[5m]) + rate(cache_misses_total[5m]))',
  'rate(bridge_events_received_total[5m])',
  'rate(bridge_events_failed_total[5m])',
  'histogram_quantile(0.95, rate(bridge_request_duration_seconds_bucket[5m]))',
  'histogram_quantile(0.50, rate(bridge_request_duration_seconds_bucket[5m]))',
  'rate(bridge_conductor_requests_total[5m])',
  'histogram_quantile(0.95, rate(bridge_conductor_latency_seconds_bucket[5m]))',
  'bridge_conductor_circuit_breaker_state',
  'bridge_database_connections_active',
  'bridge_database_connections_idle',
  'rate(bridge_auth_failures_total[5m])',
  'rate(bridge_rate_limit_violations_total[5m])',
  'rate(bridge_signature_failures_total[5m])',
  'bridge_blacklist_size',
  'bridge_trust_store_size',
  'rate(bridge_events_failed_total[5m]) > 0.1',
  'histogram_quantile(0.95, rate(bridge_request_duration_seconds_bucket[5m])) > 1',
  'up{job="chorus-bridge"} == 0',
  'bridge_database_connections_active == 0',
  'rate(bridge_conductor_requests_total{status="error"}[5m]) > 0.1',
  'bridge_conductor_circuit_breaker_state == 1',
  'bridge_memory_usage_bytes / 1024 / 1024 / 1024 > 1',
  'rate(bridge_auth_failures_total[5m]) > 10',
];

describe('seed guide queries', () => {
  for (const query of SEED_QUERIES) {
    it(query.replaceAll('\n', ' '), () => {
      const printed = formatExpr(parseExpr(query));
      assert.equal(formatExpr(parseExpr(printed)), printed);
      assert.equal(formatExpr(parseExpr(prettifyExpr(parseExpr(query)))), printed);
    });
  }
});
