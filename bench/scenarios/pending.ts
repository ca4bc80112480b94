import { pending, type Figure } from '../support/report';

/**
 * Scenarios whose code is owned by unfinished issues, printed so the table shows what is still owed and by whom.
 * Each becomes a module beside this one when its issue lands (the dataset and the inventories it needs exist:
 * `bench/dataset/inventories.ts`, `Dataset.seatAllocator`).
 */
export function pendingScenarios(): Figure[] {
  return [
    pending('ingest', 'ingest, first inventories (~780 titles each)', '>= 100 reports/s', 'issue 4: POST /ocsinventory ingest', 'COPY of the same rows'),
    pending('ingest', 'ingest, unchanged re-sends', '>= 1000 reports/s', 'issue 4', 'COPY of the same rows'),
    pending('ingest', 'peak RSS over 10,000 reports', 'flat', 'issue 4'),
    pending('compliance', 'full recompute, whole dataset', '<= 1.5x best SQL', 'issue 5: compliance engine', 'best single SQL for the same per-unit figures'),
    pending('compliance', 'incremental update after one inventory', 'p99 < 50 ms', 'issue 5'),
    pending('compliance', 'OrgUnit.compliance of the root, 10 clients', 'p99 < 50 ms', 'issue 5'),
  ];
}
