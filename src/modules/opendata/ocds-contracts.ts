/**
 * The OCDS contract and implementation stages of projects whose contract was signed
 * (`signContract`): the contract's own value, period, documents and milestones replace those the
 * releases derive from the award, and its progress — milestones reported and accepted, payments —
 * is published as `implementation.milestones` and `implementation.transactions`:
 *
 * | release              | when                                   | shows                                  |
 * |----------------------|----------------------------------------|----------------------------------------|
 * | contract             | the signing (`startedAt`)              | value, period, documents, milestones as scheduled |
 * | implementationUpdate | the latest report, decision or payment (IN_PROGRESS only) | milestones as they stand, payments |
 * | implementation       | completion (ocds.ts)                   | the same, with the outcome and the evaluation |
 *
 * Public facts only: amounts, dates, the deliverables and the organization's reports; never who
 * reported, decided or paid. Projects without a signed contract keep what ocds.ts derives.
 *
 * @module
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ContractMilestone, ContractPayment, ProjectContract } from '../projects/project-contract.entity.js';
import { MilestoneStatus } from '../projects/project-contract.enums.js';
import { contractShown } from '../projects/project-contract.policy.js';
import type { Project } from '../projects/project.entity.js';
import { ProjectStatus } from '../projects/project.enums.js';

/*
 * ocds.ts calls this module, so it imports nothing from ocds.ts: the releases are typed by the
 * fields used here, and the amounts are converted by ocds.ts's own `value`, passed in.
 */

/** OCDS `Value`, as ocds.ts's `value` makes it from integer fen. */
type ToValue = (fen: number) => { amount: number; currency: string };

/** The fields of an ocds.ts release that this module reads or replaces. */
interface Release {
  ocid: string;
  id: string;
  date: string;
  tag: string[];
  buyer: { id: string; name: string };
  contracts?: Record<string, unknown>[];
}

/** A signed contract with its milestones (in order) and payments (oldest first). */
export interface SignedContract {
  contract: ProjectContract;
  milestones: ContractMilestone[];
  payments: ContractPayment[];
}

/** The signed contracts of a batch of projects, by project id: three queries. */
export async function signedContractsOf(
  em: EntityManager,
  projectIds: readonly number[],
): Promise<Map<number, SignedContract>> {
  const contracts = await em.find(
    ProjectContract,
    { project: { $in: [...projectIds] } },
    { populate: ['organization'] },
  );
  if (contracts.length === 0) return new Map();
  const ids = contracts.map((c) => c.id);
  const [milestones, payments] = await Promise.all([
    em.find(ContractMilestone, { contract: { $in: ids } }, { orderBy: { contract: 'asc', position: 'asc' } }),
    em.find(ContractPayment, { contract: { $in: ids } }, { orderBy: { id: 'asc' } }),
  ]);
  return new Map(
    contracts.map((contract) => [
      contract.project.id,
      {
        contract,
        milestones: milestones.filter((m) => m.contract.id === contract.id),
        payments: payments.filter((p) => p.contract.id === contract.id),
      },
    ]),
  );
}

/** A milestone as scheduled at signing, or as it stands now. */
function milestoneOf(milestone: ContractMilestone, now: boolean, value: ToValue): Record<string, unknown> {
  const met = now && milestone.status === MilestoneStatus.ACCEPTED;
  const modified = [milestone.reportedAt, milestone.decidedAt].filter((d): d is Date => d != null);
  const state =
    !now || milestone.status === MilestoneStatus.PENDING
      ? ''
      : milestone.status === MilestoneStatus.REPORTED
        ? ' — 已提交，待验收 (reported, awaiting acceptance)'
        : milestone.status === MilestoneStatus.RETURNED
          ? ` — 已退回 (returned): ${milestone.returnReason ?? ''}`
          : '';
  const yuan = value(milestone.paymentFen).amount;
  return withoutUndefined({
    id: `milestone-${milestone.id}`,
    title: milestone.title,
    type: 'delivery',
    description: `${milestone.deliverables}（验收后付款 ${yuan} 元 / paid ${yuan} CNY on acceptance）${state}`,
    dueDate: milestone.dueAt.toISOString(),
    status: met ? 'met' : 'scheduled',
    dateMet: met ? milestone.decidedAt?.toISOString() : undefined,
    dateModified:
      now && modified.length
        ? new Date(Math.max(...modified.map((d) => d.getTime()))).toISOString()
        : undefined,
  });
}

function withoutUndefined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** When the contract's progress last changed: a report, a decision or a payment. */
function lastActivity(signed: SignedContract): Date | null {
  const times = [
    ...signed.milestones.flatMap((m) => [m.reportedAt, m.decidedAt]),
    ...signed.payments.map((p) => p.createdAt),
  ]
    .filter((d): d is Date => d != null)
    .map((d) => d.getTime());
  return times.length ? new Date(Math.max(...times)) : null;
}

/**
 * The releases of one project with its signed contract shown (see the module's table); the releases
 * unchanged when it has none, or when it is no longer shown (a cancelled project, as in the API).
 */
export function withSignedContract<R extends Release>(
  releases: R[],
  project: Project,
  signed: SignedContract | undefined,
  value: ToValue,
): R[] {
  if (!signed || !contractShown(project.status) || releases.length === 0) return releases;
  const { contract, milestones, payments } = signed;
  const ocid = releases[0]!.ocid;
  const contractId = `${ocid}-contract-${contract.application.id}`;
  const supplier = contract.organization.getEntity();
  const buyer = releases[0]!.buyer;
  const implementation = (existing: unknown) => {
    const outcome = (existing as { milestones?: Record<string, unknown>[] } | undefined)?.milestones ?? [];
    return withoutUndefined({
      milestones: [...milestones.map((m) => milestoneOf(m, true, value)), ...outcome],
      transactions: payments.length
        ? payments.map((p) => ({
            id: `payment-${p.id}`,
            date: p.paidAt.toISOString(),
            value: value(p.amountFen),
            payer: buyer,
            payee: { id: supplier.openDataId, name: supplier.name },
          }))
        : undefined,
    });
  };
  const signedTerms = (release: R, stage: 'scheduled' | 'now') =>
    (release.contracts ?? []).map((c) =>
      c.id !== contractId
        ? c
        : withoutUndefined({
            ...c,
            value: value(contract.valueFen),
            dateSigned: contract.signedAt.toISOString(),
            period: {
              startDate: contract.periodStart.toISOString(),
              endDate: contract.periodEnd.toISOString(),
            },
            documents: contract.documents.length
              ? contract.documents.map((d, i) => ({
                  id: `contract-${i + 1}`,
                  documentType: 'contractSigned',
                  title: d.title,
                  url: d.url,
                  language: 'zh',
                }))
              : undefined,
            milestones: milestones.map((m) => milestoneOf(m, false, value)),
            implementation: stage === 'now' ? implementation(c.implementation) : undefined,
          }),
    );
  const out = releases.map((release) =>
    release.contracts
      ? {
          ...release,
          contracts: signedTerms(release, release.tag.includes('contract') ? 'scheduled' : 'now'),
        }
      : release,
  );
  const contractRelease = out.find((r) => r.tag.includes('contract'));
  const activity = lastActivity(signed);
  if (project.status === ProjectStatus.IN_PROGRESS && contractRelease && activity) {
    const date = new Date(Math.max(activity.getTime(), new Date(out[out.length - 1]!.date).getTime()));
    out.push({
      ...contractRelease,
      id: `${ocid}-implementation-update`,
      date: date.toISOString(),
      tag: ['implementationUpdate'],
      contracts: signedTerms(contractRelease, 'now'),
    });
  }
  return out;
}
