export { waitFor, type WaitForOptions } from './lib/wait-for';
export { uniqueName } from './lib/unique-name';
