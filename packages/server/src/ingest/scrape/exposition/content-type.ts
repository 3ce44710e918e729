/** Which text exposition format a scrape body is in. */
export type ExpositionFormat = 'text' | 'openmetrics';

const OPENMETRICS_MEDIA_TYPE = 'application/openmetrics-text';

/**
 * Picks the format from a response Content-Type header: `application/openmetrics-text` (any parameters, any
 * case) → openmetrics; anything else, including a missing or unparsable header → text.
 *
 * Prometheus 3 is stricter: it fails a scrape whose Content-Type is blank, unparsable or unknown unless the
 * scrape config sets `fallback_scrape_protocol`. That policy belongs to the scrape loop; this function only
 * maps the media type.
 */
export function formatFromContentType(contentType: string | null | undefined): ExpositionFormat {
  if (contentType == null) return 'text';
  const semi = contentType.indexOf(';');
  const mediaType = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return mediaType === OPENMETRICS_MEDIA_TYPE ? 'openmetrics' : 'text';
}

/**
 * The Accept header Prometheus 3 sends with its default scrape protocols (OpenMetrics 1.0.0 and 0.0.1, then
 * the text format 1.0.0 and 0.0.4, then anything) and UTF-8 names allowed (`escaping=allow-utf-8`, which the
 * parser supports through the quoted-name syntax).
 */
export const SCRAPE_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,' +
  'application/openmetrics-text;version=0.0.1;q=0.5,' +
  'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,' +
  'text/plain;version=0.0.4;q=0.3,' +
  '*/*;q=0.2';
