import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { AppError, LicenseMetric, Role, SoftwareCategory, systemActor } from '@genuine/kit';
import { actorFor, uniqueCode } from '@genuine/kit/src/testing';
import { catalogueImportFromFile } from '@genuine/registry/src/catalogue/catalogue.service';
import { openRegistryOrm, registryContext } from '../../../test/support/registry';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openRegistryOrm();
});
afterAll(() => orm.close());

const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'OK', (err: unknown) => (err instanceof AppError ? err.code : `unexpected: ${String(err)}`));
const catalogue = () => registryContext(orm, systemActor).services.catalogue;

describe('the catalogue', () => {
  it('creates products under a publisher found by name or alias, and refuses duplicates with CONFLICT', async () => {
    const publisher = uniqueCode('Kingsoft');
    const product = await catalogue().createProduct(systemActor, { publisher, name: 'WPS Office', category: SoftwareCategory.OFFICE, licensable: true });
    await catalogue().updatePublisher(systemActor, { id: product.publisherId, aliases: [`${publisher} 金山办公`] });
    const viaAlias = await catalogue().createProduct(systemActor, { publisher: `${publisher} 金山办公`.toUpperCase(), name: 'WPS 365', category: SoftwareCategory.OFFICE, licensable: true });
    expect(viaAlias.publisherId).toBe(product.publisherId);
    expect(await codeOf(catalogue().createProduct(systemActor, { publisher, name: 'WPS Office', category: SoftwareCategory.OFFICE, licensable: false }))).toBe('CONFLICT');
    const viewer = actorFor(Role.VIEWER);
    expect(await codeOf(registryContext(orm, viewer).services.catalogue.createProduct(viewer, { publisher, name: 'x', category: SoftwareCategory.OTHER, licensable: false }))).toBe('FORBIDDEN');
  });

  it('creates editions with exact list prices and coverage, published as edition_coverage (itself, downgrades, suites, transitively)', async () => {
    const publisher = uniqueCode('Microsoft');
    const windows = await catalogue().createProduct(systemActor, { publisher, name: 'Windows', category: SoftwareCategory.OPERATING_SYSTEM, licensable: true });
    const word = await catalogue().createProduct(systemActor, { publisher, name: 'Word', category: SoftwareCategory.OFFICE, licensable: true });
    const win7 = await catalogue().createEdition(systemActor, { productId: windows.id, name: 'Windows 7 Pro', version: '7' });
    const win8 = await catalogue().createEdition(systemActor, { productId: windows.id, name: 'Windows 8.1 Pro', version: '8.1', covers: [win7.id] });
    const win10 = await catalogue().createEdition(systemActor, { productId: windows.id, name: 'Windows 10 Pro', version: '10', metric: LicenseMetric.PER_DEVICE, listPrice: { amount: '1399.5', currency: 'CNY' }, covers: [win8.id] });
    const word2016 = await catalogue().createEdition(systemActor, { productId: word.id, name: 'Word 2016' });
    const officeProduct = await catalogue().createProduct(systemActor, { publisher, name: 'Office', category: SoftwareCategory.OFFICE, licensable: true });
    const suite = await catalogue().createEdition(systemActor, { productId: officeProduct.id, name: 'Office 2016 Pro Plus', includesProducts: [word.id] });
    expect(win10.listPrice).toBe('1399.5000');
    expect(win7.metric).toBe('PER_DEVICE');
    const rows = await orm.em
      .fork()
      .execute<Array<{ edition_id: string; covered_edition_id: string }>>(
        `select edition_id, covered_edition_id from registry_public.edition_coverage where edition_id = any(?::uuid[])`,
        [`{${[win10.id, suite.id].join(',')}}`],
      );
    const covered = (id: string) => rows.filter((r) => r.edition_id === id).map((r) => r.covered_edition_id).sort();
    expect(covered(win10.id)).toEqual([win10.id, win8.id, win7.id].sort());
    expect(covered(suite.id)).toEqual([suite.id, word2016.id].sort());
    expect(await codeOf(catalogue().createEdition(systemActor, { productId: windows.id, name: 'x', covers: ['00000000-0000-0000-0000-000000000000'] }))).toBe('BAD_USER_INPUT');
    const [published] = await orm.em.fork().execute(`select code, name, category, licensable, metric, list_price::text as list_price, currency from registry_public.edition where id = ?`, [win10.id]);
    expect(published).toEqual({ code: null, name: 'Windows 10 Pro', category: 'OPERATING_SYSTEM', licensable: true, metric: 'PER_DEVICE', list_price: '1399.5000', currency: 'CNY' });
  });

  it('imports the default catalogue file as is, idempotently, and keeps its coverage', async () => {
    const file = JSON.parse(readFileSync(path.resolve(__dirname, '../../audit/src/normalization/default-catalogue.json'), 'utf8')) as { products: unknown[]; editions: unknown[] };
    const input = catalogueImportFromFile(file);
    const first = await catalogue().importCatalogue(systemActor, input);
    expect(first.products).toHaveLength(file.products.length);
    expect(first.editions).toHaveLength(file.editions.length);
    const again = await catalogue().importCatalogue(systemActor, input);
    expect({ created: again.created, updated: again.updated }).toEqual({ created: 0, updated: 0 });
    expect(again.editions).toEqual(first.editions);
    const em = orm.em.fork();
    const [win10] = await em.execute(`select e.id, p.code as product from registry_public.edition e join registry_public.product p on p.id = e.product_id where e.code = 'ms-windows-10-pro'`);
    expect(win10.product).toBe('ms-windows');
    const covered = await em.execute(
      `select c.code from registry_public.edition_coverage v join registry_public.edition c on c.id = v.covered_edition_id where v.edition_id = ? order by c.code`,
      [win10.id],
    );
    expect(covered.map((c) => c.code)).toEqual(['ms-windows-10-pro', 'ms-windows-7-pro', 'ms-windows-8-1-pro']);
    // A changed price is an update; unknown codes in covers refuse the whole import.
    const changed = { ...input, editions: input.editions.map((e) => (e.code === 'ms-windows-10-pro' ? { ...e, listPrice: { amount: '1299.00', currency: 'CNY' } } : e)) };
    expect(await catalogue().importCatalogue(systemActor, changed)).toMatchObject({ created: 0, updated: 1 });
    const broken = { products: [], editions: [{ code: uniqueCode('bad'), product: 'ms-windows', name: uniqueCode('Bad'), metric: LicenseMetric.PER_DEVICE, covers: ['no-such-edition'] }] };
    expect(await codeOf(catalogue().importCatalogue(systemActor, broken))).toBe('BAD_USER_INPUT');
    const [{ n }] = await em.execute(`select count(*)::int as n from registry.edition where code = ?`, [broken.editions[0].code]);
    expect(n).toBe(0);
  });

  it('lists products and editions with filters and text search, retired ones hidden by default', async () => {
    const publisher = uniqueCode('Yozo');
    const product = await catalogue().createProduct(systemActor, { publisher, name: uniqueCode('永中Office'), category: SoftwareCategory.DESIGN, licensable: true });
    const edition = await catalogue().createEdition(systemActor, { productId: product.id, name: 'Yozo 2019', sku: 'YZ-2019' });
    const list = (filter: object) => catalogue().listEditions(systemActor, { productId: null, publisherId: null, category: null, metric: null, search: null, includeRetired: false, ...filter }, 10, null);
    expect((await list({ search: 'yz-2019', publisherId: product.publisherId })).items.map((e) => e.id)).toEqual([edition.id]);
    await catalogue().retireEdition(systemActor, edition.id);
    expect((await list({ publisherId: product.publisherId })).items).toEqual([]);
    expect((await list({ publisherId: product.publisherId, includeRetired: true })).items.map((e) => e.id)).toEqual([edition.id]);
    const products = await catalogue().listProducts(systemActor, { category: SoftwareCategory.DESIGN, publisherId: null, search: publisher.toLowerCase(), includeRetired: false }, 10, null);
    expect(products.items.map((p) => p.id)).toEqual([product.id]);
  });
});
