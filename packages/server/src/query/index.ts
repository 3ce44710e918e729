/** Query languages. Until the PromQL engine lands this holds the series-selector parser the API needs. */
export { SelectorError, parseSelector } from './selector.ts';
