import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, encodeCursor, notFound, pageArgs, toConnection } from '@genuine/kit';
import type { RegistryContext } from '../context';
import type { NameCursor } from './catalogue.repository';
import {
  CreateEditionInput,
  CreateProductInput,
  EditionFilter,
  ImportCatalogueInput,
  ProductFilter,
  PublisherFilter,
  RetireEditionInput,
  RetireProductInput,
  UpdateEditionInput,
  UpdateProductInput,
  UpdatePublisherInput,
} from './catalogue.input';
import {
  CatalogueImportResultType,
  EditionConnection,
  EditionType,
  ProductConnection,
  ProductType,
  PublisherConnection,
  PublisherType,
  toEditionType,
  toProductType,
  toPublisherType,
} from './catalogue.type';

const byName = (row: { name: string; id: string }) => encodeCursor([row.name, row.id] satisfies NameCursor);

@Resolver(() => ProductType)
export class ProductResolver {
  @Query(() => ProductConnection, { description: 'Products of the catalogue, by name.' })
  async products(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => ProductFilter, { nullable: true, description: 'Which products; all active ones when omitted.' }) filter: ProductFilter | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<NameCursor>(args.first, args.after);
    const page = await ctx.services.catalogue.listProducts(
      ctx.actor,
      { category: filter?.category ?? null, publisherId: filter?.publisherId ?? null, search: filter?.search?.trim() || null, includeRetired: filter?.includeRetired ?? false },
      first,
      after,
    );
    return toConnection({ ...page, cursorOf: byName }, toProductType);
  }

  @Query(() => ProductType, { nullable: true, description: 'A product by id.' })
  async product(@Arg('id', () => ID, { description: 'Product id.' }) id: string, @Ctx() ctx: RegistryContext): Promise<ProductType> {
    const product = await ctx.services.catalogue.productById(ctx.actor, id);
    if (!product) throw notFound('Product');
    return toProductType(product);
  }

  @FieldResolver(() => PublisherType, { description: 'Its publisher.' })
  async publisher(@Root() product: ProductType, @Ctx() ctx: RegistryContext): Promise<PublisherType> {
    const publisher = await ctx.services.catalogue.publisherById(ctx.actor, product.publisherId);
    if (!publisher) throw notFound('Publisher');
    return toPublisherType(publisher);
  }

  @FieldResolver(() => [EditionType], { description: 'Its editions, by name (a product has few).' })
  async editions(
    @Root() product: ProductType,
    @Arg('includeRetired', () => Boolean, { defaultValue: false, description: 'Include retired editions.' }) includeRetired: boolean,
    @Ctx() ctx: RegistryContext,
  ): Promise<EditionType[]> {
    return (await ctx.services.catalogue.editionsOf(ctx.actor, product.id, includeRetired)).map(toEditionType);
  }

  @Mutation(() => ProductType, { description: 'Creates a product (MANAGE_CATALOGUE); CONFLICT when its publisher already has one of that name.' })
  async createProduct(@Arg('input', () => CreateProductInput, { description: 'The product.' }) input: CreateProductInput, @Ctx() ctx: RegistryContext): Promise<ProductType> {
    return toProductType(await ctx.services.catalogue.createProduct(ctx.actor, input));
  }

  @Mutation(() => ProductType, { description: 'Changes a product (MANAGE_CATALOGUE).' })
  async updateProduct(@Arg('input', () => UpdateProductInput, { description: 'The changes.' }) input: UpdateProductInput, @Ctx() ctx: RegistryContext): Promise<ProductType> {
    return toProductType(await ctx.services.catalogue.updateProduct(ctx.actor, input));
  }

  @Mutation(() => ProductType, { description: 'Retires a product: kept for history, hidden from the default lists (MANAGE_CATALOGUE).' })
  async retireProduct(@Arg('input', () => RetireProductInput, { description: 'The product.' }) input: RetireProductInput, @Ctx() ctx: RegistryContext): Promise<ProductType> {
    return toProductType(await ctx.services.catalogue.retireProduct(ctx.actor, input.id));
  }

  @Mutation(() => CatalogueImportResultType, { description: 'Creates or updates products and editions by code, idempotently (MANAGE_CATALOGUE).' })
  async importCatalogue(
    @Arg('input', () => ImportCatalogueInput, { description: 'The catalogue, e.g. the default catalogue file\'s products and editions.' }) input: ImportCatalogueInput,
    @Ctx() ctx: RegistryContext,
  ): Promise<CatalogueImportResultType> {
    return Object.assign(new CatalogueImportResultType(), await ctx.services.catalogue.importCatalogue(ctx.actor, input));
  }
}

@Resolver(() => EditionType)
export class EditionResolver {
  @Query(() => EditionConnection, { description: 'Editions of the catalogue, by name.' })
  async editions(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => EditionFilter, { nullable: true, description: 'Which editions; all active ones when omitted.' }) filter: EditionFilter | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<NameCursor>(args.first, args.after);
    const page = await ctx.services.catalogue.listEditions(
      ctx.actor,
      {
        productId: filter?.productId ?? null,
        publisherId: filter?.publisherId ?? null,
        category: filter?.category ?? null,
        metric: filter?.metric ?? null,
        search: filter?.search?.trim() || null,
        includeRetired: filter?.includeRetired ?? false,
      },
      first,
      after,
    );
    return toConnection({ ...page, cursorOf: byName }, toEditionType);
  }

  @Query(() => EditionType, { nullable: true, description: 'An edition by id.' })
  async edition(@Arg('id', () => ID, { description: 'Edition id.' }) id: string, @Ctx() ctx: RegistryContext): Promise<EditionType> {
    const edition = await ctx.services.catalogue.editionById(ctx.actor, id);
    if (!edition) throw notFound('Edition');
    return toEditionType(edition);
  }

  @FieldResolver(() => ProductType, { description: 'The product it is an edition of.' })
  async product(@Root() edition: EditionType, @Ctx() ctx: RegistryContext): Promise<ProductType> {
    const product = await ctx.services.catalogue.productById(ctx.actor, edition.productId);
    if (!product) throw notFound('Product');
    return toProductType(product);
  }

  @FieldResolver(() => [EditionType], { description: 'Editions this one may stand in for (downgrade rights), by name.' })
  async covers(@Root() edition: EditionType, @Ctx() ctx: RegistryContext): Promise<EditionType[]> {
    return (await ctx.services.catalogue.coversOf(ctx.actor, edition.id)).map(toEditionType);
  }

  @FieldResolver(() => [ProductType], { description: 'For a suite: the products it includes, by name.' })
  async includesProducts(@Root() edition: EditionType, @Ctx() ctx: RegistryContext): Promise<ProductType[]> {
    return (await ctx.services.catalogue.suiteProductsOf(ctx.actor, edition.id)).map(toProductType);
  }

  @Mutation(() => EditionType, { description: 'Creates an edition (MANAGE_CATALOGUE).' })
  async createEdition(@Arg('input', () => CreateEditionInput, { description: 'The edition.' }) input: CreateEditionInput, @Ctx() ctx: RegistryContext): Promise<EditionType> {
    return toEditionType(await ctx.services.catalogue.createEdition(ctx.actor, input));
  }

  @Mutation(() => EditionType, { description: 'Changes an edition, its price or its coverage (MANAGE_CATALOGUE).' })
  async updateEdition(@Arg('input', () => UpdateEditionInput, { description: 'The changes.' }) input: UpdateEditionInput, @Ctx() ctx: RegistryContext): Promise<EditionType> {
    return toEditionType(await ctx.services.catalogue.updateEdition(ctx.actor, input));
  }

  @Mutation(() => EditionType, { description: 'Retires an edition: kept for history, hidden from the default lists (MANAGE_CATALOGUE).' })
  async retireEdition(@Arg('input', () => RetireEditionInput, { description: 'The edition.' }) input: RetireEditionInput, @Ctx() ctx: RegistryContext): Promise<EditionType> {
    return toEditionType(await ctx.services.catalogue.retireEdition(ctx.actor, input.id));
  }
}

@Resolver(() => PublisherType)
export class PublisherResolver {
  @Query(() => PublisherConnection, { description: 'Publishers, by name.' })
  async publishers(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => PublisherFilter, { nullable: true, description: 'Which publishers; all when omitted.' }) filter: PublisherFilter | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<NameCursor>(args.first, args.after);
    const page = await ctx.services.catalogue.listPublishers(ctx.actor, filter?.search?.trim() || null, first, after);
    return toConnection({ ...page, cursorOf: byName }, toPublisherType);
  }

  @FieldResolver(() => [ProductType], { description: 'Its products, by name, retired ones included.' })
  async products(@Root() publisher: PublisherType, @Ctx() ctx: RegistryContext): Promise<ProductType[]> {
    return (await ctx.services.catalogue.productsOf(ctx.actor, publisher.id)).map(toProductType);
  }

  @Mutation(() => PublisherType, { description: 'Renames a publisher or replaces its aliases (MANAGE_CATALOGUE).' })
  async updatePublisher(@Arg('input', () => UpdatePublisherInput, { description: 'The changes.' }) input: UpdatePublisherInput, @Ctx() ctx: RegistryContext): Promise<PublisherType> {
    return toPublisherType(await ctx.services.catalogue.updatePublisher(ctx.actor, input));
  }
}
