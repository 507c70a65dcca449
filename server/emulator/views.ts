import type { EmulatorCore } from './core.js';
import type { ContactWay, CorpTag, Customer, Follow, Rep, TagGroup } from './types.js';

/** Stored records → the JSON shapes WeCom answers with. */

export function repView(core: EmulatorCore, rep: Rep) {
  const avatar = core.avatarUrl(rep.userid);
  return {
    userid: rep.userid,
    name: rep.name,
    department: [...rep.department],
    order: rep.department.map(() => 0),
    position: rep.position,
    mobile: rep.mobile,
    gender: rep.gender,
    email: rep.email,
    biz_mail: '',
    is_leader_in_dept: [...rep.is_leader_in_dept],
    direct_leader: [],
    avatar,
    thumb_avatar: avatar,
    telephone: '',
    alias: rep.alias,
    status: rep.status,
    address: '',
    open_userid: `wo${rep.userid}`,
    main_department: rep.main_department,
    extattr: { attrs: [] },
    external_position: rep.position,
  };
}

export function externalContactView(core: EmulatorCore, c: Customer) {
  const base = {
    external_userid: c.external_userid,
    name: c.name,
    avatar: core.avatarUrl(c.external_userid),
    type: c.type,
    gender: c.gender,
  };
  if (c.type === 2) {
    return {
      ...base,
      position: c.position,
      corp_name: c.corp_name,
      corp_full_name: c.corp_full_name,
      external_profile: { external_attr: [] },
    };
  }
  return c.unionid ? { ...base, unionid: c.unionid } : base;
}

/** Tags of a follow that still exist, in WeCom's `tags[]` shape (type 1 = 企业标签). */
export function followTags(core: EmulatorCore, follow: Follow) {
  return follow.tag_ids.flatMap((id) => {
    const tag = core.findTag(id);
    const group = tag && core.findTagGroup(tag.group_id);
    return tag && group ? [{ group_name: group.group_name, tag_name: tag.name, type: 1, tag_id: tag.id }] : [];
  });
}

function followCommon(f: Follow) {
  return {
    userid: f.userid,
    remark: f.remark,
    description: f.description,
    createtime: f.createtime,
  };
}

function followTail(f: Follow) {
  return {
    remark_corp_name: f.remark_corp_name,
    remark_mobiles: [...f.remark_mobiles],
    oper_userid: f.oper_userid,
    add_way: f.add_way,
    ...(f.state ? { state: f.state } : {}),
  };
}

/** `follow_user[]` item of externalcontact/get. */
export function followUserView(core: EmulatorCore, f: Follow) {
  return { ...followCommon(f), tags: followTags(core, f), ...followTail(f) };
}

/** `follow_info` of batch/get_by_user (tag ids instead of tag objects). */
export function followInfoView(core: EmulatorCore, f: Follow) {
  return { ...followCommon(f), tag_id: followTags(core, f).map((t) => t.tag_id), ...followTail(f) };
}

function byOrderDesc<T extends { order: number; create_time: number }>(a: T, b: T): number {
  return b.order - a.order || a.create_time - b.create_time;
}

export function tagView(t: CorpTag) {
  return { id: t.id, name: t.name, create_time: t.create_time, order: t.order, deleted: false };
}

/** A tag group with the given tags (all of the group's tags when `tags` is omitted), larger `order` first. */
export function tagGroupView(core: EmulatorCore, g: TagGroup, tags?: CorpTag[]) {
  const list = (tags ?? core.data.tags.filter((t) => t.group_id === g.group_id)).slice().sort(byOrderDesc);
  return {
    group_id: g.group_id,
    group_name: g.group_name,
    create_time: g.create_time,
    order: g.order,
    deleted: false,
    tag: list.map(tagView),
  };
}

export function sortedTagGroups(core: EmulatorCore): TagGroup[] {
  return core.data.tagGroups.slice().sort(byOrderDesc);
}

export function contactWayView(core: EmulatorCore, w: ContactWay) {
  return {
    config_id: w.config_id,
    type: w.type,
    scene: w.scene,
    style: w.style,
    remark: w.remark,
    skip_verify: w.skip_verify,
    state: w.state,
    ...(w.scene === 2 ? { qr_code: core.qrPageUrl(w.config_id) } : {}),
    user: [...w.user],
    party: [...w.party],
    is_temp: w.is_temp,
    expires_in: w.expires_in,
    chat_expires_in: w.chat_expires_in,
    unionid: w.unionid,
    conclusions: w.conclusions ?? {},
  };
}
