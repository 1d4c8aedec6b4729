export { planGroups, diffGroups } from './group-symbols.js';
export type { PlanGroupsInput, GroupDiff } from './group-symbols.js';
export { groupCapacity } from './group-capacity.js';
export { GroupingInputError } from './errors.js';
