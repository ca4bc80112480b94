import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { PageArgs, encodeCursor, pageArgs, toConnection } from '@genuine/kit';
import type { RegistryContext } from '../context';
import { CreateApiTokenInput, RevokeApiTokenInput } from './api-token.input';
import type { ApiTokenRecord } from './api-token.repository';
import { ApiTokenConnection, ApiTokenType, CreatedApiTokenType, toApiTokenType } from './api-token.type';

@Resolver(() => ApiTokenType)
export class ApiTokenResolver {
  @Query(() => ApiTokenConnection, { description: 'API tokens within your scope, newest first (ADMIN).' })
  async apiTokens(@Args(() => PageArgs) args: PageArgs, @Ctx() ctx: RegistryContext) {
    const { first, after } = pageArgs<[string, string]>(args.first, args.after);
    const page = await ctx.services.apiTokens.list(ctx.actor, first, after);
    return toConnection({ ...page, cursorOf: (t: ApiTokenRecord) => encodeCursor([t.createdAt, t.id]) }, toApiTokenType);
  }

  @Mutation(() => CreatedApiTokenType, { description: 'Creates an API token and returns its secret, once (ADMIN).' })
  async createApiToken(@Arg('input', () => CreateApiTokenInput, { description: 'The token to create.' }) input: CreateApiTokenInput, @Ctx() ctx: RegistryContext): Promise<CreatedApiTokenType> {
    const { token, record } = await ctx.services.apiTokens.create(ctx.actor, input);
    return Object.assign(new CreatedApiTokenType(), { token, apiToken: toApiTokenType(record) });
  }

  @Mutation(() => ApiTokenType, { description: 'Revokes an API token; it stops working within seconds (ADMIN).' })
  async revokeApiToken(@Arg('input', () => RevokeApiTokenInput, { description: 'The token to revoke.' }) input: RevokeApiTokenInput, @Ctx() ctx: RegistryContext): Promise<ApiTokenType> {
    return toApiTokenType(await ctx.services.apiTokens.revoke(ctx.actor, input.id));
  }
}
