/** The routing tree: built from the config's `route`, matching alerts to routes in Alertmanager's order. */
export { DEFAULT_GROUP_INTERVAL_MS, DEFAULT_GROUP_WAIT_MS, DEFAULT_REPEAT_INTERVAL_MS, Route, buildRoutingTree } from './tree.ts';
export { formatMatchingTree, formatRoutingTree } from './show.ts';
