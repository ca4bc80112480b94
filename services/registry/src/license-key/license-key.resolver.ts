import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RegistryContext } from '../context';
import { AddLicenseKeysInput } from './license-key.input';
import { LicenseKeyType, toLicenseKeyType } from './license-key.type';

@Resolver(() => LicenseKeyType)
export class LicenseKeyResolver {
  @FieldResolver(() => String, { nullable: true, description: 'The whole key: only for roles that may read keys (ADMIN, ASSET_MANAGER) within their scope; null otherwise.' })
  async key(@Root() key: LicenseKeyType, @Ctx() ctx: RegistryContext): Promise<string | null> {
    return ctx.services.licenseKeys.reveal(ctx.actor, key.record);
  }

  @Mutation(() => [LicenseKeyType], { description: 'Adds up to 500 keys to an entitlement (ADD_LICENSE_KEYS); CONFLICT when it already has one of them.' })
  async addLicenseKeys(@Arg('input', () => AddLicenseKeysInput, { description: 'The entitlement and its keys.' }) input: AddLicenseKeysInput, @Ctx() ctx: RegistryContext): Promise<LicenseKeyType[]> {
    return (await ctx.services.licenseKeys.add(ctx.actor, input.entitlementId, input.keys)).map(toLicenseKeyType);
  }
}
