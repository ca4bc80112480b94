import { Migration } from '@mikro-orm/migrations';

/**
 * `registry_public`, part two: the catalogue, entitlements, assignments, people and prices, which is everything the
 * compliance engine reads (DESIGN → Compliance semantics). Same rules as the first part: views only, documented
 * with COMMENT ON, columns only ever added at the end. Enums are published as text so the audit service does not
 * depend on the registry's types.
 */
export class Migration20261127082825_registry_public_domain extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace view "registry_public"."machine" as
      select id, org_unit_id, asset_tag, hostname, serial_number, uuid, kind::text as kind, operator, status::text as status,
             operator_person_id, retired_at
        from "registry"."machine";`);
    this.addSql(`comment on view "registry_public"."machine" is 'Machines (hardware assets) with their owning unit; status ACTIVE or RETIRED (retired_at when it was retired). operator is the name as registered, operator_person_id the person (registry_public.person) it names, whose PER_USER seats cover the machine. Identity for agents: uuid, then serial_number, then hostname within org_unit_id.';`);

    this.addSql(`create view "registry_public"."person" as
      select id, org_unit_id, name from "registry"."person";`);
    this.addSql(`comment on view "registry_public"."person" is 'People of an org unit: operators of machines and holders of PER_USER seats (registry_public.assignment.person_id).';`);

    this.addSql(`create view "registry_public"."publisher" as
      select id, name, aliases from "registry"."publisher";`);
    this.addSql(`comment on view "registry_public"."publisher" is 'Software publishers with the other spellings (aliases) inventories and purchase orders use.';`);

    this.addSql(`create view "registry_public"."product" as
      select p.id, p.code, p.publisher_id, pub.name as publisher, p.name, p.category::text as category, p.licensable,
             p.retired_at is not null as retired
        from "registry"."product" p join "registry"."publisher" pub on pub.id = p.publisher_id;`);
    this.addSql(`comment on view "registry_public"."product" is 'Products: category (OPERATING_SYSTEM, OFFICE, ANTIVIRUS, ...) and licensable (false for freeware and open source: their installs need no entitlement). code is the stable catalogue key, null for products created by hand.';`);

    this.addSql(`create view "registry_public"."edition" as
      select e.id, e.code, e.product_id, e.name, e.version, p.category::text as category, p.licensable, e.metric::text as metric,
             e.list_price, e.list_currency as currency, e.sku, e.retired_at is not null as retired
        from "registry"."edition" e join "registry"."product" p on p.id = e.product_id;`);
    this.addSql(`comment on view "registry_public"."edition" is 'Editions with their product''s category and licensable flag, the default metric, and the list price (numeric(19,4), exact) in currency; list_price and currency are null together when there is no list price.';`);

    this.addSql(`create view "registry_public"."edition_coverage" as
      with recursive edge (edition_id, covered_edition_id) as (
        select edition_id, covered_edition_id from "registry"."edition_downgrade"
        union
        select s.edition_id, e.id from "registry"."edition_suite_product" s join "registry"."edition" e on e.product_id = s.product_id
      ), reach (edition_id, covered_edition_id) as (
        select id, id from "registry"."edition"
        union
        select r.edition_id, g.covered_edition_id from reach r join edge g on g.edition_id = r.covered_edition_id
      )
      select edition_id, covered_edition_id from reach;`);
    this.addSql(`comment on view "registry_public"."edition_coverage" is 'Which editions an entitlement of edition_id covers: covered_edition_id ranges over the edition itself, the editions it has downgrade rights to, and, for a suite, every edition of the products it includes, transitively. An install of edition X is covered by an entitlement of edition E when (E, X) is a row here.';`);

    this.addSql(`create view "registry_public"."purchase" as
      select pu.id, pu.org_unit_id, s.name as supplier, pu.order_number, pu.invoice_number, pu.purchased_on, pu.currency,
             pu.procurement_method, pu.created_at
        from "registry"."purchase" pu join "registry"."supplier" s on s.id = pu.supplier_id;`);
    this.addSql(`comment on view "registry_public"."purchase" is 'Purchases: buying unit (org_unit_id), supplier, order and invoice numbers, date and currency. Each line became one entitlement (registry_public.entitlement.purchase_id).';`);

    this.addSql(`create view "registry_public"."entitlement" as
      select e.id, e.edition_id, e.org_unit_id, e.quantity, e.metric::text as metric, e.type::text as type,
             e.allocation::text as allocation, e.valid_from, e.valid_until, e.unit_price, e.currency,
             e.retired_at is not null as retired, e.retired_at, e.created_at, e.oem_machine_id, e.purchase_id,
             coalesce(pu.purchased_on, e.valid_from) as purchased_on, e.asset_tag
        from "registry"."entitlement" e left join "registry"."purchase" pu on pu.id = e.purchase_id;`);
    this.addSql(`comment on view "registry_public"."entitlement" is 'Entitlements: quantity seats of edition_id owned by org_unit_id. metric PER_DEVICE, PER_USER, SITE, CONCURRENT or PER_CORE; type PERPETUAL, SUBSCRIPTION, OEM or VOLUME; allocation ASSIGNED (seats only through registry_public.assignment) or POOLED (consumed by installs in the owner''s subtree). Valid on day d when valid_from <= d and (valid_until is null or d <= valid_until) and not retired. oem_machine_id binds an OEM entitlement to its machine. unit_price (numeric(19,4)) is in currency.';`);

    this.addSql(`create view "registry_public"."assignment" as
      select id, entitlement_id, machine_id, person_id, assigned_at, revoked_at, revoked_at is null as active
        from "registry"."assignment";`);
    this.addSql(`comment on view "registry_public"."assignment" is 'Seats: an entitlement seat held by a machine (machine_id) or a person (person_id), exactly one of them. Revoked seats stay with revoked_at set; active = revoked_at is null. Active seats of an entitlement never exceed its quantity.';`);

    this.addSql(`create view "registry_public"."edition_price" as
      select e.id as edition_id, e.list_price, e.list_currency,
             lp.unit_price as latest_unit_price, lp.currency as latest_currency, lp.purchased_on as latest_purchased_on,
             coalesce(e.list_price, lp.unit_price) as unit_cost,
             case when e.list_price is not null then e.list_currency else lp.currency end as cost_currency
        from "registry"."edition" e
        left join lateral (
          select en.unit_price, en.currency, coalesce(pu.purchased_on, en.valid_from) as purchased_on
            from "registry"."entitlement" en left join "registry"."purchase" pu on pu.id = en.purchase_id
           where en.edition_id = e.id and en.unit_price is not null
           order by coalesce(pu.purchased_on, en.valid_from) desc, en.created_at desc, en.id desc
           limit 1
        ) lp on true;`);
    this.addSql(`comment on view "registry_public"."edition_price" is 'What one missing seat of an edition costs (DESIGN rule 6): unit_cost in cost_currency is the list price when there is one, otherwise the unit price of the latest purchase of the edition (latest_unit_price, by purchase date, then creation); null when neither exists.';`);
  }

  override async down(): Promise<void> {
    for (const view of ['edition_price', 'assignment', 'entitlement', 'purchase', 'edition_coverage', 'edition', 'product', 'publisher', 'person']) {
      this.addSql(`drop view if exists "registry_public"."${view}";`);
    }
    this.addSql(`drop view if exists "registry_public"."machine";`);
    this.addSql(`create view "registry_public"."machine" as
      select id, org_unit_id, asset_tag, hostname, serial_number, uuid, kind::text as kind, operator, status::text as status
        from "registry"."machine";`);
  }
}
