import type { RegistryContext } from '../context';
import { toEditionType, toProductType, type EditionType, type ProductType } from './catalogue.type';

/** Resolves `Product` references from other subgraphs through the request's loader. */
export async function resolveProductReference(reference: { id: string }, ctx: RegistryContext): Promise<ProductType | null> {
  const product = await ctx.services.catalogue.productById(ctx.actor, reference.id);
  return product ? toProductType(product) : null;
}

/** Resolves `Edition` references from other subgraphs (e.g. an installation's edition) through the request's loader. */
export async function resolveEditionReference(reference: { id: string }, ctx: RegistryContext): Promise<EditionType | null> {
  const edition = await ctx.services.catalogue.editionById(ctx.actor, reference.id);
  return edition ? toEditionType(edition) : null;
}
