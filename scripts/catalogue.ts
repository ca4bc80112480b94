import type { MikroORM } from '@mikro-orm/postgresql';
import { systemActor, type Logger } from '@genuine/kit';
import { createAuditContext } from '@genuine/audit';
import { loadDefaultCatalogue as readDefaultCatalogue, type DefaultCatalogue } from '@genuine/audit/src/normalization/title-matcher';
import type { DefaultRule } from '@genuine/audit/src/normalization/normalization.service';
import { createRegistryContext } from '@genuine/registry';
import { catalogueImportFromFile } from '@genuine/registry/src/catalogue/catalogue.service';

/**
 * The shipped default catalogue (services/audit/src/normalization/default-catalogue.json) on first start: its
 * products and editions go into the registry (idempotent by code), then its rules into the audit service with
 * each rule's edition key mapped to the edition id the registry gave it. The composition root is the one place that
 * may hold both services, so the mapping happens here. Later starts leave the rules alone (users may have removed
 * some); a start that died between the two steps simply does both again.
 */
export async function loadDefaultCatalogue(registryOrm: MikroORM, auditOrm: MikroORM, log: Logger, catalogue: DefaultCatalogue = readDefaultCatalogue()): Promise<boolean> {
  const audit = createAuditContext({ em: auditOrm.em.fork(), actor: systemActor, requestId: 'catalogue-load', log });
  if (await audit.services.normalization.hasDefaultRules()) return false;
  const registry = createRegistryContext({ em: registryOrm.em.fork(), actor: systemActor, requestId: 'catalogue-load', log });
  const imported = await registry.services.catalogue.importCatalogue(systemActor, catalogueImportFromFile(catalogue));
  const editionIds = new Map(imported.editions.map((e) => [e.code, e.id]));
  const rules = catalogue.rules.map((rule): DefaultRule => {
    const editionId = rule.edition === null ? null : editionIds.get(rule.edition);
    if (editionId === undefined) throw new Error(`default rule ${rule.key} names edition ${rule.edition}, which the registry did not import`);
    return {
      key: rule.key,
      namePattern: rule.namePattern,
      publisherPattern: rule.publisherPattern,
      versionPattern: rule.versionPattern,
      editionId,
      ignore: rule.ignore,
      priority: rule.priority,
    };
  });
  const result = await audit.services.normalization.importDefaultRules(systemActor, rules);
  log.info({ products: imported.products.length, editions: imported.editions.length, rules: result.inserted }, 'default catalogue loaded');
  return true;
}
