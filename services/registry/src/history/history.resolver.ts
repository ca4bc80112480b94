import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { PageArgs, encodeCursor, pageArgs, toConnection } from '@genuine/kit';
import type { RegistryContext } from '../context';
import { AuditEventFilter } from './history.input';
import type { AuditEventRecord } from './history.repository';
import { AuditEventConnection, AuditEventType, toAuditEventType } from './history.type';

const cursorOf = (e: AuditEventRecord) => encodeCursor(e.id);

@Resolver(() => AuditEventType)
export class HistoryResolver {
  @Query(() => AuditEventConnection, { description: 'The audit trail of one entity, newest first (READ_HISTORY).' })
  async history(
    @Arg('entityId', () => ID, { description: 'The entity, e.g. an entitlement id.' }) entityId: string,
    @Args(() => PageArgs) args: PageArgs,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<string>(args.first, args.after);
    return toConnection({ ...(await ctx.services.history.events(ctx.actor, { entityId }, first, after)), cursorOf }, toAuditEventType);
  }

  @Query(() => AuditEventConnection, { description: 'The audit trail, newest first, filtered (READ_HISTORY).' })
  async auditEvents(
    @Args(() => PageArgs) args: PageArgs,
    @Arg('filter', () => AuditEventFilter, { nullable: true, description: 'Which events; every event in your scope when omitted.' }) filter: AuditEventFilter | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const { first, after } = pageArgs<string>(args.first, args.after);
    return toConnection({ ...(await ctx.services.history.events(ctx.actor, filter ?? {}, first, after)), cursorOf }, toAuditEventType);
  }
}
