import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  convertToSearchableReferences,
  deepClone,
  evalFhirPathTyped,
  getSearchParameter,
  matchesSearchRequest,
  Operator,
  splitSearchOnComma,
  toTypedValue,
  validateResource,
} from '@medplum/core';
import type { SearchRequest, WithId } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { ReadHistoryOptions } from '@medplum/fhir-router';
import type { Bundle, Resource, ResourceType } from '@medplum/fhirtypes';
import { expressionFor } from './fhir-search';
import { resourcesOf } from './sample-patients';

/**
 * What the embedded FHIR server stores: the resources in memory, each version kept, seeded with the sample
 * patients and the knowledge definitions that $apply applies. The REST side is fhir-routes.ts.
 */

/** Reference parameters indexed per patient: the ones every prefetch template of the service searches by. */
const INDEXED_REFERENCES = ['patient', 'subject'];

/**
 * The MemoryRepository of @medplum/fhir-router 4.5.2, with two fixes and an index:
 * - every resource is validated against the R4 definitions before it is stored (as a real FHIR server does),
 *   so an invalid CarePlan from a suggestion is refused with 400 instead of being kept;
 * - `readHistory` there reverses its stored version list in place, so the order flips on every call; the
 *   versions are kept here and returned newest first, as the spec requires;
 * - a search there evaluates every filter's FHIRPath on every resource of the type, and `patient` is a union over
 *   all resource types: about 10 ms per search with the sample patients. The values of `patient` and `subject`
 *   are indexed when a resource is stored, so a search by them only evaluates the filters on that patient's
 *   resources (the same matcher, so the same results).
 */
export class SandboxRepository extends MemoryRepository {
  private readonly versions = new Map<string, Resource[]>();
  /** `Type|code|Patient/id` → ids of the resources whose parameter `code` has that reference. */
  private readonly references = new Map<string, Set<string>>();
  /** `Type/id` → its keys in `references`, to remove them when the resource changes. */
  private readonly indexed = new Map<string, string[]>();

  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    validateResource(resource);
    const stored = await super.createResource(resource);
    const key = `${stored.resourceType}/${stored.id}`;
    const versions = this.versions.get(key) ?? [];
    versions.push(deepClone(stored));
    this.versions.set(key, versions);
    this.index(stored);
    return stored;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    await super.deleteResource(resourceType, id);
    this.unindex(resourceType, id);
  }

  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const filter = request.filters?.find(
      (candidate) => candidate.operator === Operator.EQUALS && INDEXED_REFERENCES.includes(candidate.code)
    );
    const plain = request.sortRules === undefined && request.offset === undefined && request.count === undefined;
    if (filter === undefined || filter.value === '' || !plain) {
      return super.search(request);
    }
    const ids = new Set(
      splitSearchOnComma(filter.value).flatMap((value) => [
        ...(this.references.get(`${request.resourceType}|${filter.code}|${value}`) ?? []),
      ])
    );
    // The index answers `filter` exactly; the other filters are evaluated as the repository would.
    const rest: SearchRequest<T> = { ...request, filters: request.filters?.filter((other) => other !== filter) };
    const matches: WithId<T>[] = [];
    for (const id of ids) {
      const resource = await this.readResource<WithId<T>>(request.resourceType, id);
      if (matchesSearchRequest(resource, rest)) {
        matches.push(resource);
      }
    }
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      ...(matches.length > 0 ? { entry: matches.map((resource) => ({ resource })) } : {}),
    };
  }

  /** Records the `patient` and `subject` references of a stored resource (replacing those of its earlier version). */
  private index(resource: WithId<Resource>): void {
    this.unindex(resource.resourceType, resource.id);
    const keys: string[] = [];
    for (const code of INDEXED_REFERENCES) {
      const param = getSearchParameter(resource.resourceType, code);
      if (param?.type !== 'reference') {
        continue;
      }
      const values = evalFhirPathTyped(expressionFor(resource.resourceType, param), [toTypedValue(resource)]);
      for (const reference of convertToSearchableReferences(values)) {
        const indexKey = `${resource.resourceType}|${code}|${reference}`;
        const ids = this.references.get(indexKey) ?? new Set<string>();
        ids.add(resource.id);
        this.references.set(indexKey, ids);
        keys.push(indexKey);
      }
    }
    this.indexed.set(`${resource.resourceType}/${resource.id}`, keys);
  }

  private unindex(resourceType: string, id: string): void {
    const key = `${resourceType}/${id}`;
    for (const indexKey of this.indexed.get(key) ?? []) {
      this.references.get(indexKey)?.delete(id);
    }
    this.indexed.delete(key);
  }

  override async readHistory<T extends Resource>(
    resourceType: string,
    id: string,
    options?: ReadHistoryOptions
  ): Promise<Bundle<WithId<T>>> {
    await this.readResource(resourceType, id);
    const newestFirst = [...(this.versions.get(`${resourceType}/${id}`) ?? [])].reverse() as WithId<T>[];
    const offset = options?.offset ?? 0;
    const page = newestFirst.slice(offset, options?.limit === undefined ? undefined : offset + options.limit);
    return {
      resourceType: 'Bundle',
      type: 'history',
      total: newestFirst.length,
      ...(page.length > 0 ? { entry: page.map((resource) => ({ resource: deepClone(resource) })) } : {}),
    };
  }

  override clear(): void {
    super.clear();
    this.versions.clear();
    this.references.clear();
    this.indexed.clear();
  }
}

/**
 * Stores the resources of the sample Bundles with their own ids (the draft ServiceRequests included), dated
 * `lastUpdated` unless a resource carries its own meta.
 * @returns the types stored, in the order first met
 */
export async function storeSamples(
  repo: SandboxRepository,
  bundles: readonly Bundle[],
  lastUpdated: string
): Promise<ResourceType[]> {
  const types = new Set<ResourceType>();
  for (const bundle of bundles) {
    for (const resource of resourcesOf(bundle)) {
      types.add(resource.resourceType);
      await repo.createResource({ ...resource, meta: { lastUpdated, ...resource.meta } });
    }
  }
  return [...types];
}

/**
 * Stores what $apply applies and names: the PlanDefinition and its ActivityDefinitions of fhir-resources/knowledge.
 * @returns the types stored, in the order first met
 */
export async function storeDefinitions(
  repo: SandboxRepository,
  knowledgeDir: string,
  lastUpdated: string
): Promise<ResourceType[]> {
  const types = new Set<ResourceType>();
  const applied = (name: string) => /^(PlanDefinition|ActivityDefinition)-.*\.json$/.test(name);
  for (const file of readdirSync(knowledgeDir).filter(applied)) {
    const resource = JSON.parse(readFileSync(path.join(knowledgeDir, file), 'utf8')) as Resource;
    types.add(resource.resourceType);
    await repo.createResource({ ...resource, meta: { lastUpdated } });
  }
  return [...types];
}
