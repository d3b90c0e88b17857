/**
 * Every text a notification shows, in one place: Chinese by default, English for readers whose
 * locale is English. The values come from the notification's `params`, fixed when it was made.
 *
 * @module
 */
import { NotificationTopic } from './notification.enums.js';

/** The values a template fills in; which are set depends on the topic. */
export interface TemplateParams {
  demandTitle?: string;
  projectTitle?: string;
  organizationName?: string;
  /** A demand's status, an application's decision (AWARDED, REJECTED) or a verification status. */
  status?: string;
  reason?: string | null;
  /** A webhook endpoint's URL (told to its organization's admins only). */
  url?: string;
  /** A contract milestone's title. */
  milestoneTitle?: string;
  /** A payment's amount, in fen. */
  amountFen?: number;
}

export type Locale = 'zh' | 'en';

/** The language to write in: English only when asked for, Chinese otherwise. */
export function localeOf(preferred: string | null | undefined): Locale {
  return preferred?.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

export interface RenderedNotification {
  title: string;
  body: string;
}

const DEMAND_STATUS_ZH: Record<string, string> = {
  OPEN: '已被释放，重新等待认领',
  CLAIMED: '已被认领',
  IN_SERVICE: '正在服务中',
  FULFILLED: '已完成服务',
  CLOSED: '已被关闭',
  WITHDRAWN: '已撤回',
  EXPIRED: '已过期（无人认领）',
  CLOSED_DUPLICATE: '已作为重复需求关闭',
};

const DEMAND_STATUS_EN: Record<string, string> = {
  OPEN: 'was released and is open again',
  CLAIMED: 'was claimed',
  IN_SERVICE: 'is being served',
  FULFILLED: 'was fulfilled',
  CLOSED: 'was closed',
  WITHDRAWN: 'was withdrawn',
  EXPIRED: 'expired unclaimed',
  CLOSED_DUPLICATE: 'was closed as a duplicate',
};

/** The title and body of a notification in `locale`. */
export function renderNotification(
  topic: NotificationTopic,
  params: TemplateParams,
  locale: Locale,
): RenderedNotification {
  const demand = params.demandTitle ?? '';
  const project = params.projectTitle ?? '';
  const organization = params.organizationName ?? '';
  const en = locale === 'en';
  switch (topic) {
    case NotificationTopic.DEMAND_MATCHED:
      return en
        ? { title: `New demand: ${demand}`, body: `A new demand ${organization} can serve: “${demand}”.` }
        : {
            title: `新需求：${demand}`,
            body: `${organization}可以服务的新需求「${demand}」已发布，请及时查看。`,
          };
    case NotificationTopic.PROJECT_ELIGIBLE:
      return en
        ? {
            title: `New project: ${project}`,
            body: `${organization} may apply to the new project “${project}”.`,
          }
        : { title: `新项目：${project}`, body: `${organization}可以申报的新项目「${project}」已发布。` };
    case NotificationTopic.APPLICATION_DECIDED: {
      const awarded = params.status === 'AWARDED';
      return en
        ? {
            title: `Application ${awarded ? 'awarded' : 'not awarded'}: ${project}`,
            body: `${organization}’s application to “${project}” was ${awarded ? 'awarded' : 'not awarded'}.`,
          }
        : {
            title: `申报结果：${project}`,
            body: `${organization}对项目「${project}」的申报${awarded ? '已中标' : '未中标'}。`,
          };
    }
    case NotificationTopic.VERIFICATION_DECIDED: {
      const verified = params.status === 'VERIFIED';
      const reason = params.reason ? (en ? ` Reason: ${params.reason}` : `原因：${params.reason}`) : '';
      return en
        ? {
            title: `${organization} ${verified ? 'verified' : 'suspended'}`,
            body: `${organization} was ${verified ? 'verified' : 'suspended'} by the union.${reason}`,
          }
        : {
            title: `${organization}${verified ? '已通过认证' : '已被暂停'}`,
            body: `工会${verified ? '已认证' : '已暂停'}${organization}。${reason}`,
          };
    }
    case NotificationTopic.OWN_DEMAND_UPDATED: {
      const status = params.status ?? '';
      const by = params.status === 'CLAIMED' && organization;
      return en
        ? {
            title: `Your demand ${DEMAND_STATUS_EN[status] ?? 'changed'}`,
            body: `Your demand “${demand}” ${DEMAND_STATUS_EN[status] ?? 'changed'}${by ? ` by ${organization}` : ''}.`,
          }
        : {
            title: `您的需求${DEMAND_STATUS_ZH[status] ?? '有更新'}`,
            body: `您的需求「${demand}」${by ? `已被${organization}认领` : (DEMAND_STATUS_ZH[status] ?? '有更新')}。`,
          };
    }
    case NotificationTopic.ENDORSED_DEMAND_FULFILLED:
      return en
        ? {
            title: 'A demand you endorsed was fulfilled',
            body: `The demand “${demand}” you endorsed was fulfilled.`,
          }
        : { title: '您附议的需求已完成', body: `您附议的需求「${demand}」已完成服务。` };
    case NotificationTopic.CLAIM_LAPSING:
      return en
        ? {
            title: `Claim about to lapse: ${demand}`,
            body: `${organization}’s claim on “${demand}” lapses soon: report progress to keep it.`,
          }
        : {
            title: `认领即将失效：${demand}`,
            body: `${organization}认领的需求「${demand}」长时间没有进展，即将失效并重新开放，请及时报告进展。`,
          };
    case NotificationTopic.WEBHOOK_DISABLED: {
      const reason = params.reason ? (en ? ` ${params.reason}` : `原因：${params.reason}`) : '';
      return en
        ? {
            title: `Webhook disabled: ${organization}`,
            body: `${organization}’s webhook ${params.url ?? ''} was disabled.${reason}`,
          }
        : {
            title: `Webhook 已停用：${organization}`,
            body: `${organization}的 Webhook ${params.url ?? ''} 已被停用。${reason}`,
          };
    }
    case NotificationTopic.APPLICATION_PERIOD_CLOSED:
      return en
        ? {
            title: `Applications closed: ${project}`,
            body: `The application period of “${project}” closed; its applications can be evaluated.`,
          }
        : { title: `申报已截止：${project}`, body: `项目「${project}」的申报期已结束，可以开始评审。` };
    case NotificationTopic.MILESTONE_REPORTED: {
      const milestone = params.milestoneTitle ?? '';
      return en
        ? {
            title: `Milestone reported: ${project}`,
            body: `${organization} reported the milestone “${milestone}” of “${project}”; accept or return it.`,
          }
        : {
            title: `里程碑已提交：${project}`,
            body: `${organization}提交了项目「${project}」的里程碑「${milestone}」，请验收或退回。`,
          };
    }
    case NotificationTopic.MILESTONE_DECIDED: {
      const milestone = params.milestoneTitle ?? '';
      const accepted = params.status === 'ACCEPTED';
      const reason = params.reason ? (en ? ` Reason: ${params.reason}` : `原因：${params.reason}`) : '';
      return en
        ? {
            title: `Milestone ${accepted ? 'accepted' : 'returned'}: ${project}`,
            body: `The milestone “${milestone}” of “${project}” was ${accepted ? 'accepted' : 'returned'}.${reason}`,
          }
        : {
            title: `里程碑${accepted ? '已验收' : '被退回'}：${project}`,
            body: `项目「${project}」的里程碑「${milestone}」${accepted ? '已通过验收' : '被退回，请修改后重新提交'}。${reason}`,
          };
    }
    case NotificationTopic.CONTRACT_PAYMENT_RECORDED: {
      const yuan = ((params.amountFen ?? 0) / 100).toFixed(2);
      return en
        ? {
            title: `Payment recorded: ${project}`,
            body: `A payment of ${yuan} yuan to ${organization} under “${project}” was recorded.`,
          }
        : {
            title: `付款已登记：${project}`,
            body: `项目「${project}」向${organization}的付款 ${yuan} 元已登记。`,
          };
    }
    case NotificationTopic.PROJECT_CLARIFIED:
      return en
        ? {
            title: `Clarification published: ${project}`,
            body: `“${project}”, which ${organization} may apply to, published the answer to a clarification question.`,
          }
        : {
            title: `项目澄清：${project}`,
            body: `${organization}可以申报的项目「${project}」发布了澄清答复，请查看。`,
          };
  }
}
