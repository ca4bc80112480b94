import { Migration } from '@mikro-orm/migrations';

export class Migration20261127085009_api_tokens extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "registry"."api_token" ("id" uuid not null, "name" varchar(200) not null, "token_hash" varchar(64) not null, "role" varchar(32) not null, "scope_unit_id" uuid null, "created_by" varchar(100) not null, "created_at" timestamptz not null default now(), "expires_on" date null, "revoked_at" timestamptz null, "last_used_at" timestamptz null, constraint "api_token_pkey" primary key ("id"));`);
    this.addSql(`alter table "registry"."api_token" add constraint "api_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "api_token_scope_idx" on "registry"."api_token" ("scope_unit_id");`);

    this.addSql(`alter table "registry"."api_token" add constraint "api_token_scope_unit_id_foreign" foreign key ("scope_unit_id") references "registry"."org_unit" ("id") on update cascade on delete restrict;`);

    // Written by hand: the part of the read contract every service uses to verify API tokens.
    this.addSql(`create view "registry_public"."api_token" as
      select t.id, t.token_hash, t.role, t.scope_unit_id, u.code as scope_unit_code
        from "registry"."api_token" t left join "registry"."org_unit" u on u.id = t.scope_unit_id
       where t.revoked_at is null and (t.expires_on is null or t.expires_on >= current_date);`);
    this.addSql(`comment on view "registry_public"."api_token" is 'API tokens that work now (not revoked, not expired), by SHA-256 digest: role and org-unit scope (null = everything). Never holds the token itself.';`);
    this.addSql(`create function "registry_public"."touch_api_token"(p_hash text) returns void language sql security definer set search_path = pg_catalog as $$
      update "registry"."api_token" set last_used_at = now()
       where token_hash = p_hash and (last_used_at is null or last_used_at < now() - interval '1 minute')
    $$;`);
    this.addSql(`comment on function "registry_public"."touch_api_token"(text) is 'Records that a token was used (at most once a minute); the one write other services may ask of the registry.';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists "registry_public"."touch_api_token"(text);`);
    this.addSql(`drop view if exists "registry_public"."api_token";`);
    this.addSql(`drop table if exists "registry"."api_token" cascade;`);
  }

}
