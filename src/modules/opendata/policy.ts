/**
 * The publication policy the OCDS packages point to (`publicationPolicy`), served by the hub itself
 * at `/opendata/policy`, in Chinese and English.
 *
 * @module
 */
import type { OcdsSettings } from './ocds.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function publicationPolicyHtml(settings: OcdsSettings): string {
  const base = escapeHtml(settings.publicUrl);
  const license = escapeHtml(settings.licenseUrl);
  const prefix = escapeHtml(settings.ocidPrefix);
  return `<!doctype html>
<html lang="zh">
<head><meta charset="utf-8"><title>纽带 开放数据发布政策 · Niudai open data publication policy</title></head>
<body>
<h1>开放数据发布政策</h1>
<p>纽带平台以开放标准发布两类公开数据，供政府部门和公众原样转载：</p>
<ul>
<li>已认证社会组织及其服务目录，采用 Open Referral 人类服务数据规范 HSDS 3.0（<a href="${base}/opendata/hsds/">${base}/opendata/hsds/</a>）；</li>
<li>工会、政府和企业购买服务项目的招募、变更、评审、授予、合同和验收结果，采用开放合同数据标准 OCDS 1.1.5（<a href="${base}/opendata/ocds/releases.json">releases.json</a>、<a href="${base}/opendata/ocds/records.json">records.json</a>）。</li>
</ul>
<p>发布范围与匿名访问平台接口时所见完全一致：只有已认证的组织、未下线的服务、已发布的项目。不发布任何个人信息：职工需求、联系人、用户、申报材料和申报组织名单均不公开（只公开申报组织数量和中标结果）。项目被取消后不再公开中标组织。</p>
<p>数据实时生成，每项变更即时体现；每次变更成为同一 ocid 下的一个新版本（release），记录（record）保存全部历史。组织和服务的标识符为永不改变的 UUID。OCDS ocid 前缀：<code>${prefix}</code>。</p>
<p>许可协议：<a href="${license}">${license}</a>。转载时请注明来源“纽带平台”。</p>

<h1 lang="en">Open data publication policy</h1>
<div lang="en">
<p>Niudai publishes two kinds of public data in open standards, for government bodies and the public to republish as they are:</p>
<ul>
<li>the directory of verified social organizations and their services, in Open Referral's Human Services Data Specification HSDS 3.0 (<a href="${base}/opendata/hsds/">${base}/opendata/hsds/</a>);</li>
<li>purchase-of-service projects of unions, government bodies and enterprises — tender, amendments, evaluation, award, contract and outcome — in the Open Contracting Data Standard OCDS 1.1.5 (<a href="${base}/opendata/ocds/releases.json">releases.json</a>, <a href="${base}/opendata/ocds/records.json">records.json</a>).</li>
</ul>
<p>What is published is exactly what the hub's anonymous API shows: verified organizations, services that are not retired, published projects. No personal data is published: workers' demands, contacts, users, applications and the names of applicants stay private (only the number of applicants and the awards are public). Once a project is cancelled its winners are no longer shown.</p>
<p>The data is generated live: every change shows at once, and each change to a project is a new release of the same ocid, so its record keeps the whole history. Organizations and services have UUIDs that never change. OCDS ocid prefix: <code>${prefix}</code>.</p>
<p>Licence: <a href="${license}">${license}</a>. Please credit “Niudai” when republishing.</p>
</div>
</body>
</html>
`;
}
