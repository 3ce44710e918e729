/**
 * The routing tree built from alertmanager.yml's `route` (Alertmanager's dispatch.Route): options
 * inherited from the parent, matchers sorted as Alertmanager sorts them, and the route ID and key
 * exactly as Alertmanager computes them (the key is part of every aggregation group's key, which
 * webhook payloads carry as `groupKey`).
 */
import type { RouteConfig } from '../config/types.ts';
import type { Matcher } from '../matchers/index.ts';
import { compareMatchers, formatMatchers, matchesAll } from '../matchers/index.ts';
import type { LabelSet, MatchedRoute, RouteOptions } from '../types.ts';

/** Alertmanager's DefaultRouteOpts timers. */
export const DEFAULT_GROUP_WAIT_MS = 30_000;
export const DEFAULT_GROUP_INTERVAL_MS = 300_000;
export const DEFAULT_REPEAT_INTERVAL_MS = 4 * 3_600_000;

export class Route implements MatchedRoute {
  readonly parent: Route | null;
  readonly options: RouteOptions;
  /** Sorted by name, value, type. */
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly routes: readonly Route[];
  /** Position in a post-order walk of the tree (children before parents), as Alertmanager numbers routes. */
  readonly index: number;
  readonly key: string;
  readonly id: string;

  constructor(config: RouteConfig, parent: Route | null, siblingIndex: number, counter: { next: number }) {
    this.parent = parent;
    this.options = inheritOptions(config, parent?.options);
    this.matchers = [...config.matchers].sort(compareMatchers);
    this.continue = config.continue;
    const printed = formatMatchers(this.matchers);
    this.key = parent === null ? printed : `${parent.key}/${printed}`;
    this.id = parent === null ? printed : `${parent.id}/${printed}/${siblingIndex}`;
    this.routes = config.routes.map((child, i) => new Route(child, this, i, counter));
    this.index = counter.next++;
  }

  /**
   * The routes an alert with these labels goes to, in Alertmanager's order: depth first, a matching
   * child stops the search among its siblings unless it has `continue`, and a matching route with
   * no matching child is itself the answer. Empty when this route's own matchers do not match.
   */
  match(labels: LabelSet): Route[] {
    if (!matchesAll(this.matchers, labels)) return [];
    const all: Route[] = [];
    for (const child of this.routes) {
      const matched = child.match(labels);
      all.push(...matched);
      if (matched.length > 0 && !child.continue) break;
    }
    if (all.length === 0) all.push(this);
    return all;
  }

  /** Visits this route and then its descendants, depth first in configuration order. */
  walk(visit: (route: Route) => void): void {
    visit(this);
    for (const child of this.routes) child.walk(visit);
  }
}

function inheritOptions(config: RouteConfig, parent: RouteOptions | undefined): RouteOptions {
  const base: RouteOptions = parent ?? {
    receiver: '',
    groupBy: [],
    groupWait: DEFAULT_GROUP_WAIT_MS,
    groupInterval: DEFAULT_GROUP_INTERVAL_MS,
    repeatInterval: DEFAULT_REPEAT_INTERVAL_MS,
    muteTimeIntervals: [],
    activeTimeIntervals: [],
  };
  let groupBy = base.groupBy;
  const names = (config.groupBy ?? []).filter((name) => name !== '...');
  // As in Alertmanager, an empty `group_by: []` inherits like an absent one; `...` alone groups by all labels.
  if (names.length > 0) groupBy = names;
  else if (config.groupBy?.includes('...')) groupBy = 'all';
  return {
    receiver: config.receiver !== undefined && config.receiver !== '' ? config.receiver : base.receiver,
    groupBy,
    groupWait: config.groupWaitMs ?? base.groupWait,
    groupInterval: config.groupIntervalMs ?? base.groupInterval,
    repeatInterval: config.repeatIntervalMs ?? base.repeatInterval,
    // Time intervals are not inherited: each route names its own (Alertmanager's newRoute).
    muteTimeIntervals: config.muteTimeIntervals,
    activeTimeIntervals: config.activeTimeIntervals,
  };
}

/** Builds the routing tree from the config's root route. */
export function buildRoutingTree(root: RouteConfig): Route {
  return new Route(root, null, 0, { next: 0 });
}
