/**
 * Who sees clarification questions and complaints beyond their public fields (the public rules are
 * the services': answered questions and every complaint are shown with the project, an open
 * question to the publisher's staff only):
 *
 * - `node(id)` answers as `Project.clarifications`, `Project.openQuestions` and `Project.complaints`;
 * - the full audit trail of a question (it names the asking organization): the asking organization's
 *   members, never the publisher (the asker is not public);
 * - of a complaint: the complaining organization's members, the project's publisher's staff (who
 *   respond to it) and the designated reviewer.
 *
 * Admins read every trail (audit.service.ts).
 *
 * @module
 */
import type { Context } from '../../core/context.js';
import type { NodeRegistry } from '../../core/relay/node.resolver.js';
import type { AuditService } from '../audit/audit.service.js';
import { viewerFactsOf } from '../organizations/viewer-facts.js';
import type { ProjectQuestion } from './clarification.entity.js';
import type { ProjectComplaint } from './complaint.entity.js';
import type { ProjectAccess } from './project.policy.js';

export function installClarificationAndComplaintRules(services: {
  nodes: NodeRegistry;
  audit: AuditService;
  projectAccess: ProjectAccess;
  /** The services, named by what they answer so that the policy does not import them. */
  projectClarifications: { get(ctx: Context, id: number): Promise<ProjectQuestion | null> };
  projectComplaints: { get(ctx: Context, id: number): Promise<ProjectComplaint | null> };
}): void {
  const { nodes, audit, projectAccess, projectClarifications, projectComplaints } = services;
  nodes
    .registerById('ProjectQuestion', (ctx, id) => projectClarifications.get(ctx, id))
    .registerById('ProjectComplaint', (ctx, id) => projectComplaints.get(ctx, id));
  audit.registerReadRule('ProjectQuestion', (ctx, subject) =>
    isMember(ctx, (subject as ProjectQuestion).organization.id),
  );
  audit.registerReadRule('ProjectComplaint', async (ctx, subject) => {
    const complaint = subject as ProjectComplaint;
    if (isMember(ctx, complaint.organization.id)) return true;
    if (ctx.viewer && complaint.reviewer?.id === ctx.viewer.userId) return true;
    const project = await complaint.project.load({ dataloader: true });
    return project !== null && (await projectAccess.isPublisherStaff(ctx, project));
  });
}

function isMember(ctx: Context, organizationId: number): boolean {
  return viewerFactsOf(ctx.viewer)?.memberships.has(organizationId) ?? false;
}
