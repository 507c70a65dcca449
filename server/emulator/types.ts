/**
 * The emulator's data model. Field names follow WeCom's JSON (snake_case) wherever the value is served as is,
 * so a record can be copied into a response without renaming.
 */
import type { CorpCredentials } from '../wecom/types.js';
import type { ArchiveData } from './archive.js';

/** The corp the emulator plays: the same credentials the server is configured with. */
export type EmulatorCorp = CorpCredentials;

export interface Department {
  id: number;
  name: string;
  name_en: string;
  parentid: number;
  order: number;
  department_leader: string[];
}

/** A corp member (成员) with 客户联系 enabled: a sales rep or a service agent. */
export interface Rep {
  userid: string;
  name: string;
  department: number[];
  main_department: number;
  position: string;
  /** WeCom's member gender is a string: "0" unknown, "1" male, "2" female. */
  gender: '0' | '1' | '2';
  mobile: string;
  email: string;
  alias: string;
  /** 1 activated. */
  status: number;
  is_leader_in_dept: number[];
}

/** One rep's relation to a customer (follow_user / follow_info). */
export interface Follow {
  userid: string;
  remark: string;
  description: string;
  /** Unix seconds. */
  createtime: number;
  tag_ids: string[];
  remark_corp_name: string;
  remark_mobiles: string[];
  oper_userid: string;
  add_way: number;
  state: string;
}

/** An external contact (客户) and the reps who follow them. */
export interface Customer {
  external_userid: string;
  name: string;
  /** 1 WeChat user, 2 WeCom user. */
  type: 1 | 2;
  /** 0 unknown, 1 male, 2 female. */
  gender: 0 | 1 | 2;
  position: string;
  corp_name: string;
  corp_full_name: string;
  unionid: string;
  follows: Follow[];
}

export interface TagGroup {
  group_id: string;
  group_name: string;
  create_time: number;
  order: number;
}

export interface CorpTag {
  id: string;
  group_id: string;
  name: string;
  create_time: number;
  order: number;
}

/** A 「联系我」 configuration (渠道活码) created through the API. */
export interface ContactWay {
  config_id: string;
  type: 1 | 2;
  scene: 1 | 2;
  style: number;
  remark: string;
  skip_verify: boolean;
  state: string;
  user: string[];
  party: number[];
  is_temp: boolean;
  expires_in: number;
  chat_expires_in: number;
  unionid: string;
  conclusions: Record<string, unknown> | null;
  /** Unix seconds. */
  create_time: number;
  /** Round-robin cursor for multi-rep ways: index into `user` of the next rep a scan goes to. */
  next_user_index: number;
}

export interface WelcomeMessageRecord {
  /** Emulator clock, ms. */
  at: number;
  welcome_code: string;
  userid: string;
  external_userid: string;
  text: { content: string } | null;
  attachments: unknown[];
}

export interface WebhookMessageRecord {
  at: number;
  /** The emulator's own id for the delivery (WeCom's webhook answers none): tells a repeat from a re-read copy. */
  msgid: string;
  key: string;
  msgtype: string;
  body: unknown;
}

export interface AppMessageRecord {
  at: number;
  msgid: string;
  touser: string[];
  msgtype: string;
  body: unknown;
}

/** A 群发 task created with add_msg_template (the member still has to confirm it in the client). */
export interface MsgTemplateRecord {
  at: number;
  msgid: string;
  chat_type: 'single' | 'group';
  sender: string;
  /** Customers the task reaches (after dropping fail_list). */
  external_userid: string[];
  fail_list: string[];
  body: unknown;
}

export interface MediaRecord {
  media_id: string;
  type: string;
  /** Unix seconds. */
  created_at: number;
  filename: string;
  content_type: string;
  size: number;
  /** An image's bytes (base64), kept so the emulator's pages can show what a message carried. */
  data?: string;
}

export interface GroupChatMember {
  userid: string;
  /** 1 member of the corp, 2 external contact. */
  type: 1 | 2;
  unionid?: string;
  join_time: number;
  /** 1 direct invite, 2 invite link, 3 group QR code. */
  join_scene: number;
  invitor?: { userid: string };
  group_nickname: string;
  name: string;
}

export interface GroupChat {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice: string;
  /** 0 normal, 1 离职待继承, 2 离职继承中, 3 离职继承完成. */
  status: number;
  member_list: GroupChatMember[];
  admin_list: { userid: string }[];
  member_version: string;
}

/** Something that happened to a relation, feeding get_user_behavior_data. */
export interface ActivityRecord {
  at: number;
  kind: 'add' | 'del_follow_user' | 'del_external_contact' | 'welcome' | 'edit';
  userid: string;
  external_userid: string;
}

/** Everything the emulator persists (statePath) and serves. */
export interface EmulatorData {
  version: 1;
  corpId: string;
  departments: Department[];
  reps: Rep[];
  customers: Customer[];
  tagGroups: TagGroup[];
  tags: CorpTag[];
  contactWays: ContactWay[];
  groupChats: GroupChat[];
  welcomeMessages: WelcomeMessageRecord[];
  webhookMessages: WebhookMessageRecord[];
  appMessages: AppMessageRecord[];
  msgTemplates: MsgTemplateRecord[];
  media: MediaRecord[];
  activity: ActivityRecord[];
  /** The chat archive (会话内容存档), created on first use (archive.ts). */
  archive?: ArchiveData;
}
