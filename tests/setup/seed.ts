import { ref } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { hashPassword } from '../../src/core/passwords.js';
import { Role } from '../../src/core/roles.js';
import { User } from '../../src/modules/accounts/user.entity.js';
import { Region } from '../../src/modules/regions/region.entity.js';
import type { Services } from '../../src/services.js';
import { Organization } from '../../src/modules/organizations/organization.entity.js';
import { ServiceOffering } from '../../src/modules/organizations/service.entity.js';
import { OrganizationMember } from '../../src/modules/organizations/membership.entity.js';
import {
  EvaluationGrade,
  FoundingType,
  MemberRole,
  OrganizationKind,
  ServiceFee,
  ServiceMode,
  VerificationStatus,
} from '../../src/modules/organizations/organization.enums.js';
import { makeCreditCode } from '../../src/modules/organizations/credit-code.js';
import { setSearchText } from '../../src/modules/organizations/organization-helpers.js';
import { TargetGroup } from '../../src/modules/categories/target-group.js';
import { ServiceCategory } from '../../src/modules/categories/service-category.entity.js';
import { Demand, DemandEndorsement } from '../../src/modules/demands/demand.entity.js';
import { DemandSource, DemandStatus } from '../../src/modules/demands/demand.enums.js';
import { emitEvent, Topic } from '../../src/core/events/outbox.js';
import { Publisher, PublisherStaff } from '../../src/modules/projects/publisher.entity.js';
import { Project } from '../../src/modules/projects/project.entity.js';
import { ProcurementMethod, ProjectStatus, PublisherKind } from '../../src/modules/projects/project.enums.js';

/** A user made by a seed builder, with a valid token. */
export interface SeededUser {
  user: User;
  token: string;
  password: string;
}

/** Options of {@link Seed.organization}; every field has a sensible default. */
export interface SeedOrganizationOptions {
  /** The user who becomes its ORG_ADMIN; a new worker account by default. */
  admin?: SeededUser;
  name?: string;
  description?: string;
  /** VERIFIED by default; `false` leaves it PENDING. Overridden by `status`. */
  verified?: boolean;
  status?: VerificationStatus;
  kind?: OrganizationKind;
  foundingType?: FoundingType;
  /** Jinan (370100) by default. */
  homeRegionCode?: string;
  /** `[homeRegionCode]` by default. */
  regionCodes?: string[];
  /** `['LIFE']` by default. */
  categoryCodes?: string[];
  targetGroups?: TargetGroup[];
  grade?: EvaluationGrade;
  isHub?: boolean;
  /** The hub it is an accepted member of. */
  hubId?: number;
  publicContact?: string | null;
  brandName?: string | null;
  /** Services to create with it; each defaults to the organization's categories and regions. */
  services?: { name: string; description?: string; categoryCodes?: string[]; regionCodes?: string[] }[];
}

/** Options of {@link Seed.demand}; every field has a sensible default. */
export interface SeedDemandOptions {
  /** `LIFE.CHILDCARE` by default. */
  categoryCode?: string;
  /** Lixia, Jinan (370102) by default. */
  regionCode?: string;
  targetGroups?: TargetGroup[];
  status?: DemandStatus;
  claimedById?: number | null;
  anonymous?: boolean;
  contact?: string | null;
  contactConsent?: boolean;
  /** Workers who said "me too". */
  endorserIds?: number[];
  /** Also writes its DEMAND_PUBLISHED outbox event, in the same transaction, as `submitDemand` does. */
  published?: boolean;
}

/** Options of {@link Seed.project}. */
export interface SeedProjectOptions {
  status?: ProjectStatus;
  /** `LIFE` by default. */
  categoryCode?: string;
  /** `['370100']` by default. */
  regionCodes?: string[];
  title?: string;
}

/** An organization made by {@link Seed.organization}, with its admin. */
export interface SeededOrganization {
  organization: Organization;
  services: ServiceOffering[];
  admin: SeededUser;
  /** The admin's token. */
  token: string;
}

let counter = 0;
let orgSerial = 0;
/** One password hash for every seeded user: scrypt is deliberately slow. */
const PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;

/**
 * Fluent builders for test data, written straight to the database (not through GraphQL) so tests
 * set up quickly and exercise the API only where they mean to.
 */
export class Seed {
  constructor(
    readonly orm: MikroORM,
    readonly services: Services,
  ) {}

  /** A user with the given account roles and optional region scope. */
  async user(
    roles: Role[],
    options: { regionCode?: string; email?: string; displayName?: string } = {},
  ): Promise<SeededUser> {
    const em = this.orm.em.fork();
    const n = ++counter;
    const user = em.create(User, {
      email: options.email ?? `user${n}-${process.pid}-${Date.now()}@example.test`,
      mobile: null,
      passwordHash: await (passwordHash ??= hashPassword(PASSWORD)),
      displayName: options.displayName ?? `测试用户${n}`,
      roles,
      regionScope: options.regionCode ? ref(em.getReference(Region, options.regionCode)) : null,
    });
    await em.persistAndFlush(user);
    const { token } = await this.services.tokens.issue(user.id);
    return { user, token, password: PASSWORD };
  }

  worker(): Promise<SeededUser> {
    return this.user([Role.WORKER]);
  }

  admin(): Promise<SeededUser> {
    return this.user([Role.ADMIN]);
  }

  /** Union staff scoped to a region (Jinan by default). */
  unionStaff(regionCode = '370100'): Promise<SeededUser> {
    return this.user([Role.UNION_STAFF], { regionCode });
  }

  /**
   * A social organization written straight to the database (VERIFIED unless told otherwise), with a
   * valid unique credit code, its search text and an ORG_ADMIN (a new worker unless `admin` is given).
   */
  async organization(options: SeedOrganizationOptions = {}): Promise<SeededOrganization> {
    const admin = options.admin ?? (await this.worker());
    const em = this.orm.em.fork();
    const n = ++orgSerial;
    const kind = options.kind ?? OrganizationKind.SOCIAL_SERVICE_AGENCY;
    const home = options.homeRegionCode ?? '370100';
    const status =
      options.status ??
      (options.verified === false ? VerificationStatus.PENDING : VerificationStatus.VERIFIED);
    const categoryCodes = options.categoryCodes ?? ['LIFE'];
    const regionCodes = options.regionCodes ?? [home];
    const organization = em.create(Organization, {
      name: options.name ?? `测试社会组织${n}`,
      creditCode: makeCreditCode(kind, process.pid * 100_000 + n, home),
      kind,
      foundingType: options.foundingType ?? FoundingType.INDEPENDENT,
      homeRegion: ref(em.getReference(Region, home)),
      regionCodes,
      categoryCodes,
      targetGroups: options.targetGroups ?? [TargetGroup.ALL_WORKERS],
      description: options.description ?? '',
      publicContact:
        options.publicContact === undefined
          ? `0531-8800${String(n).padStart(4, '0')}`
          : options.publicContact,
      brandName: options.brandName ?? null,
      grade: options.grade ?? EvaluationGrade.NONE,
      verificationStatus: status,
      verificationDecidedAt: status === VerificationStatus.PENDING ? null : new Date(),
      isHub: options.isHub ?? false,
      hub: options.hubId ? ref(em.getReference(Organization, options.hubId)) : null,
    });
    const services = (options.services ?? []).map((s) =>
      em.create(ServiceOffering, {
        organization: ref(organization),
        name: s.name,
        description: s.description ?? '',
        categoryCodes: s.categoryCodes ?? categoryCodes,
        regionCodes: s.regionCodes ?? regionCodes,
        targetGroups: organization.targetGroups,
        mode: ServiceMode.ON_SITE,
        fee: ServiceFee.FREE,
      }),
    );
    setSearchText(organization, services);
    em.create(OrganizationMember, {
      organization: ref(organization),
      user: ref(em.getReference(User, admin.user.id)),
      role: MemberRole.ORG_ADMIN,
    });
    await em.flush();
    return { organization, services, admin, token: admin.token };
  }

  /** Adds `user` (a new worker by default) to an organization with `role` (ORG_MEMBER by default). */
  async organizationMember(
    organizationId: number,
    role: MemberRole = MemberRole.ORG_MEMBER,
    user?: SeededUser,
  ): Promise<SeededUser> {
    const member = user ?? (await this.worker());
    const em = this.orm.em.fork();
    em.create(OrganizationMember, {
      organization: ref(em.getReference(Organization, organizationId)),
      user: ref(em.getReference(User, member.user.id)),
      role,
    });
    await em.flush();
    return member;
  }

  /** A demand written straight to the database, submitted by `submitterId`. */
  async demand(submitterId: number, options: SeedDemandOptions = {}): Promise<Demand> {
    return this.orm.em.fork().transactional(async (em) => {
      const [category, region] = await Promise.all([
        em.findOneOrFail(ServiceCategory, { code: options.categoryCode ?? 'LIFE.CHILDCARE' }),
        em.findOneOrFail(Region, { code: options.regionCode ?? '370102' }),
      ]);
      const demand = em.create(Demand, {
        title: `测试需求${++counter}`,
        description: '测试需求',
        category: ref(category),
        categoryPath: category.path,
        region: ref(region),
        regionPath: region.path,
        targetGroups: options.targetGroups ?? [TargetGroup.ALL_WORKERS],
        peopleAffected: 1 + (options.endorserIds?.length ?? 0),
        endorsementCount: options.endorserIds?.length ?? 0,
        source: DemandSource.WORKER,
        submittedBy: ref(em.getReference(User, submitterId)),
        anonymous: options.anonymous ?? false,
        contact: options.contact ?? null,
        contactConsent: options.contactConsent ?? false,
        status: options.status ?? DemandStatus.OPEN,
        claimedBy: options.claimedById ? ref(em.getReference(Organization, options.claimedById)) : null,
        claimedAt: options.claimedById ? new Date() : null,
        expiresAt: new Date(Date.now() + 30 * 86_400_000),
      });
      for (const workerId of options.endorserIds ?? [])
        em.create(DemandEndorsement, { demand: ref(demand), worker: ref(em.getReference(User, workerId)) });
      await em.flush();
      if (options.published)
        await emitEvent(em, {
          topic: Topic.DEMAND_PUBLISHED,
          entityId: demand.id,
          categoryPath: demand.categoryPath,
          regionPath: demand.regionPath,
          targetGroups: demand.targetGroups,
        });
      return demand;
    });
  }

  /** A publisher (a union's by default, in Jinan) with one staff account acting for it. */
  async publisher(
    staff: SeededUser,
    options: { kind?: PublisherKind; regionCode?: string } = {},
  ): Promise<Publisher> {
    const em = this.orm.em.fork();
    const publisher = em.create(Publisher, {
      kind: options.kind ?? PublisherKind.UNION,
      name: `测试发布方${++counter}`,
      region: ref(em.getReference(Region, options.regionCode ?? '370100')),
    });
    em.create(PublisherStaff, { publisher: ref(publisher), user: ref(em.getReference(User, staff.user.id)) });
    await em.flush();
    return publisher;
  }

  /** A project of the publisher written straight to the database (PUBLISHED and open by default). */
  async project(publisherId: number, options: SeedProjectOptions = {}): Promise<Project> {
    const em = this.orm.em.fork();
    const category = await em.findOneOrFail(ServiceCategory, { code: options.categoryCode ?? 'LIFE' });
    const regionCodes = options.regionCodes ?? ['370100'];
    const regions = await em.find(Region, { code: { $in: regionCodes } });
    const status = options.status ?? ProjectStatus.PUBLISHED;
    const now = Date.now();
    const project = em.create(Project, {
      publisher: ref(em.getReference(Publisher, publisherId)),
      title: options.title ?? `测试项目${++counter}`,
      category: ref(category),
      categoryPath: category.path,
      regionCodes,
      regionPaths: [...new Set(regions.flatMap((r) => r.path))],
      targetGroups: [TargetGroup.ALL_WORKERS],
      budgetFen: 1_000_000,
      procurementMethod: ProcurementMethod.OPEN,
      status,
      publishedAt: status === ProjectStatus.DRAFT ? null : new Date(now),
      applicationOpensAt: new Date(now - 86_400_000),
      applicationClosesAt: new Date(now + 7 * 86_400_000),
    });
    await em.flush();
    return project;
  }
}
