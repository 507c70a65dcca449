/**
 * Request and response shapes of the WeCom server APIs the product uses (wecom-protocol.md §4), with WeCom's own
 * snake_case field names so they can be compared with the docs and the emulator line by line.
 * Fields WeCom documents as optional, or returns only in some cases, are optional here.
 */

/** A self-built app's credentials in a corp: the configured corp, or the emulator's demo corp. */
export interface CorpCredentials {
  corpId: string;
  corpName: string;
  agentId: number;
  secret: string;
  token: string;
  encodingAesKey: string;
}

/** Every WeCom answer carries these; errcode 0 means success (the client throws on anything else). */
export interface WecomResponse {
  errcode?: number;
  errmsg?: string;
}

// ---- tokens and tickets -------------------------------------------------------------------------------------------

export interface AccessTokenResponse extends WecomResponse {
  access_token: string;
  expires_in: number;
}

export interface TicketResponse extends WecomResponse {
  ticket: string;
  /** Seconds, normally 7200. */
  expires_in: number;
}

// ---- customers (externalcontact) ---------------------------------------------------------------------------------

export interface ExternalProfile {
  external_corp_name?: string;
  wechat_channels?: { nickname?: string; status?: number };
  external_attr?: Array<{
    type: number;
    name: string;
    text?: { value: string };
    web?: { url: string; title: string };
    miniprogram?: { appid: string; pagepath: string; title: string };
  }>;
}

export interface ExternalContact {
  external_userid: string;
  name: string;
  position?: string;
  avatar?: string;
  corp_name?: string;
  corp_full_name?: string;
  /** 1 WeChat user, 2 WeCom user. */
  type: number;
  /** 0 unknown, 1 male, 2 female. */
  gender?: number;
  unionid?: string;
  external_profile?: ExternalProfile;
}

export interface FollowUserTag {
  group_name: string;
  tag_name: string;
  /** 1 corp tag, 2 personal tag, 3 rule-group tag. */
  type: number;
  tag_id?: string;
}

export interface FollowUser {
  userid: string;
  remark?: string;
  description?: string;
  /** Unix seconds the member added the customer. */
  createtime: number;
  tags?: FollowUserTag[];
  remark_corp_name?: string;
  remark_mobiles?: string[];
  oper_userid?: string;
  add_way?: number;
  /** The 「联系我」 state the customer came through. */
  state?: string;
  wechat_channels?: { nickname?: string; source?: number };
}

export interface ExternalContactDetailResponse extends WecomResponse {
  external_contact: ExternalContact;
  follow_user: FollowUser[];
  /** Present when the customer has more than 500 followers; pass back as `cursor`. */
  next_cursor?: string;
}

export interface ExternalContactListResponse extends WecomResponse {
  external_userid: string[];
}

export interface FollowUserListResponse extends WecomResponse {
  follow_user: string[];
}

export interface BatchGetByUserRequest {
  /** ≤ 100 member userids. */
  userid_list: string[];
  cursor?: string;
  /** ≤ 100, default 50. */
  limit?: number;
}

export interface FollowInfo {
  userid: string;
  remark?: string;
  description?: string;
  createtime: number;
  tag_id?: string[];
  remark_corp_name?: string;
  remark_mobiles?: string[];
  oper_userid?: string;
  add_way?: number;
  state?: string;
}

export interface BatchGetByUserResponse extends WecomResponse {
  external_contact_list: Array<{ external_contact: ExternalContact; follow_info: FollowInfo }>;
  next_cursor?: string;
}

// ---- organisation -------------------------------------------------------------------------------------------------

export interface Department {
  id: number;
  name: string;
  name_en?: string;
  department_leader?: string[];
  parentid: number;
  order?: number;
}

export interface DepartmentListResponse extends WecomResponse {
  department: Department[];
}

export interface User {
  userid: string;
  name: string;
  department: number[];
  order?: number[];
  position?: string;
  mobile?: string;
  gender?: string;
  email?: string;
  is_leader_in_dept?: number[];
  avatar?: string;
  thumb_avatar?: string;
  telephone?: string;
  alias?: string;
  /** 1 active, 2 disabled, 4 not activated, 5 left. */
  status?: number;
  main_department?: number;
  open_userid?: string;
}

export interface UserListResponse extends WecomResponse {
  userlist: User[];
}

export interface UserResponse extends WecomResponse, User {}

// ---- corp tags ----------------------------------------------------------------------------------------------------

export interface CorpTag {
  id: string;
  name: string;
  create_time?: number;
  order?: number;
  deleted?: boolean;
}

export interface CorpTagGroup {
  group_id: string;
  group_name: string;
  create_time?: number;
  order?: number;
  deleted?: boolean;
  tag: CorpTag[];
}

/** Both empty → all tags; if both are given only `group_id` filters. */
export interface CorpTagFilter {
  tag_id?: string[];
  group_id?: string[];
}

export interface CorpTagListResponse extends WecomResponse {
  tag_group: CorpTagGroup[];
}

export interface AddCorpTagRequest {
  /** Add to an existing group… */
  group_id?: string;
  /** …or create a group with this name. */
  group_name?: string;
  order?: number;
  tag: Array<{ name: string; order?: number }>;
  agentid?: number;
}

export interface AddCorpTagResponse extends WecomResponse {
  tag_group: CorpTagGroup;
}

/** `id` is a tag id or a tag-group id. */
export interface EditCorpTagRequest {
  id: string;
  name?: string;
  order?: number;
  agentid?: number;
}

export interface DelCorpTagRequest {
  tag_id?: string[];
  group_id?: string[];
  agentid?: number;
}

export interface MarkTagRequest {
  userid: string;
  external_userid: string;
  add_tag?: string[];
  remove_tag?: string[];
}

// ---- remark -------------------------------------------------------------------------------------------------------

export interface RemarkRequest {
  userid: string;
  external_userid: string;
  /** ≤ 20 chars. */
  remark?: string;
  /** ≤ 150 chars. */
  description?: string;
  remark_company?: string;
  /** Overwrites; `[""]` clears. */
  remark_mobiles?: string[];
  remark_pic_mediaid?: string;
}

// ---- 「联系我」 channel codes -------------------------------------------------------------------------------------

export interface ContactWayConclusions {
  text?: { content: string };
  image?: { media_id?: string; pic_url?: string };
  link?: { title: string; picurl?: string; desc?: string; url: string };
  miniprogram?: { title: string; pic_media_id: string; appid: string; page: string };
}

export interface AddContactWayRequest {
  /** 1 single member, 2 several members. */
  type: 1 | 2;
  /** 1 mini-program button, 2 QR code. */
  scene: 1 | 2;
  style?: number;
  /** ≤ 30 chars. */
  remark?: string;
  skip_verify?: boolean;
  /** ≤ 30 chars; echoed as `State` in add_external_contact. */
  state?: string;
  user?: string[];
  party?: number[];
  is_temp?: boolean;
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  is_exclusive?: boolean;
  mark_source?: boolean;
  conclusions?: ContactWayConclusions;
}

export interface AddContactWayResponse extends WecomResponse {
  config_id: string;
  /** Only for scene 2. */
  qr_code?: string;
}

export interface ContactWay extends AddContactWayRequest {
  config_id: string;
  qr_code?: string;
}

export interface GetContactWayResponse extends WecomResponse {
  contact_way: ContactWay;
}

export interface UpdateContactWayRequest {
  config_id: string;
  remark?: string;
  skip_verify?: boolean;
  style?: number;
  state?: string;
  user?: string[];
  party?: number[];
  expires_in?: number;
  chat_expires_in?: number;
  unionid?: string;
  mark_source?: boolean;
  conclusions?: ContactWayConclusions;
}

// ---- welcome message and broadcasts ------------------------------------------------------------------------------

export type MessageAttachment =
  | { msgtype: 'image'; image: { media_id?: string; pic_url?: string } }
  | { msgtype: 'link'; link: { title: string; picurl?: string; desc?: string; url: string } }
  | { msgtype: 'miniprogram'; miniprogram: { title: string; pic_media_id: string; appid: string; page: string } }
  | { msgtype: 'video'; video: { media_id: string } }
  | { msgtype: 'file'; file: { media_id: string } };

export interface SendWelcomeMsgRequest {
  /** From the add_external_contact event; valid 20 s, single use. */
  welcome_code: string;
  text?: { content: string };
  /** ≤ 9. */
  attachments?: MessageAttachment[];
}

export interface AddMsgTemplateRequest {
  chat_type?: 'single' | 'group';
  external_userid?: string[];
  chat_id_list?: string[];
  tag_filter?: { group_list: Array<{ tag_list: string[] }> };
  sender?: string;
  allow_select?: boolean;
  text?: { content: string };
  attachments?: MessageAttachment[];
}

export interface AddMsgTemplateResponse extends WecomResponse {
  msgid: string;
  fail_list?: string[];
}

// ---- media --------------------------------------------------------------------------------------------------------

export type MediaType = 'image' | 'voice' | 'video' | 'file';

export interface UploadMediaResponse extends WecomResponse {
  type: MediaType;
  /** Valid 3 days. */
  media_id: string;
  /** Unix seconds, as a string. */
  created_at: string;
}

// ---- OAuth --------------------------------------------------------------------------------------------------------

/** Members get `userid` (and `user_ticket` with snsapi_privateinfo); non-members get `openid`/`external_userid`. */
export interface UserInfoByCodeResponse extends WecomResponse {
  userid?: string;
  user_ticket?: string;
  openid?: string;
  external_userid?: string;
}

// ---- statistics ---------------------------------------------------------------------------------------------------

export interface UserBehaviorDataRequest {
  userid?: string[];
  partyid?: number[];
  /** Unix seconds, floored to 00:00 by WeCom; span ≤ 30 days, within the last 180 days. */
  start_time: number;
  end_time: number;
}

export interface BehaviorData {
  stat_time: number;
  chat_cnt?: number;
  message_cnt?: number;
  reply_percentage?: number;
  /** Minutes. */
  avg_reply_time?: number;
  negative_feedback_cnt?: number;
  new_apply_cnt?: number;
  new_contact_cnt?: number;
}

export interface UserBehaviorDataResponse extends WecomResponse {
  behavior_data: BehaviorData[];
}

// ---- app message to members ---------------------------------------------------------------------------------------

export type AppMessageContent =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'textcard'; textcard: { title: string; description: string; url: string; btntxt?: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'file'; file: { media_id: string } }
  | {
      msgtype: 'news';
      news: { articles: Array<{ title: string; description?: string; url?: string; picurl?: string }> };
    };

export type SendAppMessageRequest = AppMessageContent & {
  /** `"u1|u2"` or `"@all"`. */
  touser?: string;
  toparty?: string;
  totag?: string;
  agentid: number;
  safe?: 0 | 1;
  enable_id_trans?: 0 | 1;
  enable_duplicate_check?: 0 | 1;
  duplicate_check_interval?: number;
};

export interface SendAppMessageResponse extends WecomResponse {
  invaliduser?: string;
  invalidparty?: string;
  invalidtag?: string;
  unlicenseduser?: string;
  msgid?: string;
  response_code?: string;
}

// ---- customer groups ----------------------------------------------------------------------------------------------

export interface GroupChatListRequest {
  /** 0 all, 1 离职待继承, 2 离职继承中, 3 离职继承完成. */
  status_filter?: 0 | 1 | 2 | 3;
  owner_filter?: { userid_list: string[] };
  cursor?: string;
  /** 1..1000. */
  limit: number;
}

export interface GroupChatListResponse extends WecomResponse {
  group_chat_list: Array<{ chat_id: string; status: number }>;
  next_cursor?: string;
}

export interface GroupChatMember {
  userid: string;
  /** 1 member, 2 external contact. */
  type: number;
  unionid?: string;
  join_time: number;
  join_scene?: number;
  invitor?: { userid: string };
  group_nickname?: string;
  name?: string;
}

export interface GroupChat {
  chat_id: string;
  name?: string;
  owner: string;
  create_time: number;
  notice?: string;
  member_list: GroupChatMember[];
  admin_list?: Array<{ userid: string }>;
  member_version?: string;
}

export interface GroupChatGetResponse extends WecomResponse {
  group_chat: GroupChat;
}

// ---- group robot (webhook) ----------------------------------------------------------------------------------------

export type RobotMessage =
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[]; mentioned_mobile_list?: string[] } }
  | { msgtype: 'markdown'; markdown: { content: string } }
  | {
      msgtype: 'news';
      news: { articles: Array<{ title: string; description?: string; url: string; picurl?: string }> };
    };
