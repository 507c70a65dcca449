/**
 * Typed WeCom server APIs (wecom-protocol.md §4) over a WecomClient. Services depend on the slice they use,
 * e.g. `Pick<WecomApi, 'markTag'>`, so a test fake needs one method.
 * Each method resolves with WeCom's full answer (errcode 0) or throws WecomApiError / WecomNetworkError.
 */
import type { UploadFile, WecomClient } from './client.js';
import type {
  AddContactWayRequest,
  AddContactWayResponse,
  AddCorpTagRequest,
  AddCorpTagResponse,
  AddMsgTemplateRequest,
  AddMsgTemplateResponse,
  BatchGetByUserRequest,
  BatchGetByUserResponse,
  CorpTagFilter,
  CorpTagListResponse,
  DelCorpTagRequest,
  DepartmentListResponse,
  EditCorpTagRequest,
  ExternalContactDetailResponse,
  ExternalContactListResponse,
  FollowUserListResponse,
  GetContactWayResponse,
  GroupChatGetResponse,
  GroupChatListRequest,
  GroupChatListResponse,
  MarkTagRequest,
  MediaType,
  RemarkRequest,
  RobotMessage,
  SendAppMessageRequest,
  SendAppMessageResponse,
  SendWelcomeMsgRequest,
  TicketResponse,
  UpdateContactWayRequest,
  UploadMediaResponse,
  UserBehaviorDataRequest,
  UserBehaviorDataResponse,
  UserInfoByCodeResponse,
  UserListResponse,
  UserResponse,
  WecomResponse,
} from './types.js';

const EC = '/cgi-bin/externalcontact';

/** Calls that create or send something: never repeated after a failure with an unknown outcome. */
const CREATES = { idempotent: false } as const;

export function createWecomApi(client: Pick<WecomClient, 'get' | 'post' | 'upload' | 'webhookSend'>) {
  return {
    // ---- customers
    getExternalContact: (externalUserId: string, cursor?: string) =>
      client.get<ExternalContactDetailResponse>(`${EC}/get`, { external_userid: externalUserId, cursor }),
    listExternalContacts: (userId: string) => client.get<ExternalContactListResponse>(`${EC}/list`, { userid: userId }),
    batchGetByUser: (request: BatchGetByUserRequest) =>
      client.post<BatchGetByUserResponse>(`${EC}/batch/get_by_user`, request),
    getFollowUserList: () => client.get<FollowUserListResponse>(`${EC}/get_follow_user_list`),

    // ---- organisation
    /** All departments visible to the app, or the subtree of `departmentId`. */
    listDepartments: (departmentId?: number) =>
      client.get<DepartmentListResponse>('/cgi-bin/department/list', { id: departmentId }),
    listUsers: (departmentId: number, options: { fetchChild?: boolean } = {}) =>
      client.get<UserListResponse>('/cgi-bin/user/list', {
        department_id: departmentId,
        fetch_child: options.fetchChild ? 1 : undefined,
      }),
    getUser: (userId: string) => client.get<UserResponse>('/cgi-bin/user/get', { userid: userId }),

    // ---- corp tags
    getCorpTagList: (filter: CorpTagFilter = {}) => client.post<CorpTagListResponse>(`${EC}/get_corp_tag_list`, filter),
    addCorpTag: (request: AddCorpTagRequest) =>
      client.post<AddCorpTagResponse>(`${EC}/add_corp_tag`, request, {}, CREATES),
    editCorpTag: (request: EditCorpTagRequest) => client.post<WecomResponse>(`${EC}/edit_corp_tag`, request),
    delCorpTag: (request: DelCorpTagRequest) => client.post<WecomResponse>(`${EC}/del_corp_tag`, request),
    // The mark_tag job reads the follow's tags before it tries again, so a timed-out call is not blindly repeated.
    markTag: (request: MarkTagRequest) =>
      client.post<WecomResponse>(`${EC}/mark_tag`, request, {}, { callerChecks: true }),

    // ---- remark
    remark: (request: RemarkRequest) => client.post<WecomResponse>(`${EC}/remark`, request),

    // ---- 「联系我」 channel codes
    addContactWay: (request: AddContactWayRequest) =>
      client.post<AddContactWayResponse>(`${EC}/add_contact_way`, request, {}, CREATES),
    getContactWay: (configId: string) =>
      client.post<GetContactWayResponse>(`${EC}/get_contact_way`, { config_id: configId }),
    updateContactWay: (request: UpdateContactWayRequest) =>
      client.post<WecomResponse>(`${EC}/update_contact_way`, request),
    delContactWay: (configId: string) => client.post<WecomResponse>(`${EC}/del_contact_way`, { config_id: configId }),

    // ---- messages to customers
    /** Must run within 20 s of the add event, once; 41051 means it is too late (final). */
    sendWelcomeMsg: (request: SendWelcomeMsgRequest) => client.post<WecomResponse>(`${EC}/send_welcome_msg`, request),
    addMsgTemplate: (request: AddMsgTemplateRequest) =>
      client.post<AddMsgTemplateResponse>(`${EC}/add_msg_template`, request, {}, CREATES),

    // ---- media (temporary, 3 days)
    uploadMedia: (type: MediaType, file: UploadFile) =>
      client.upload<UploadMediaResponse>('/cgi-bin/media/upload', { type }, file),

    // ---- JS-SDK tickets (cache them: ≤ 400/h per corp, ≤ 100/h per app)
    getJsapiTicket: () => client.get<TicketResponse>('/cgi-bin/get_jsapi_ticket'),
    getAgentConfigTicket: () => client.get<TicketResponse>('/cgi-bin/ticket/get', { type: 'agent_config' }),

    // ---- OAuth
    getUserInfoByCode: (code: string) => client.get<UserInfoByCodeResponse>('/cgi-bin/auth/getuserinfo', { code }),

    // ---- statistics
    getUserBehaviorData: (request: UserBehaviorDataRequest) =>
      client.post<UserBehaviorDataResponse>(`${EC}/get_user_behavior_data`, request),

    // ---- messages to members
    sendAppMessage: (request: SendAppMessageRequest) =>
      client.post<SendAppMessageResponse>('/cgi-bin/message/send', request, {}, CREATES),

    // ---- customer groups
    groupChatList: (request: GroupChatListRequest) =>
      client.post<GroupChatListResponse>(`${EC}/groupchat/list`, request),
    groupChatGet: (chatId: string, needName = true) =>
      client.post<GroupChatGetResponse>(`${EC}/groupchat/get`, { chat_id: chatId, need_name: needName ? 1 : 0 }),

    // ---- group robot webhook (no access_token; the key is the credential)
    sendRobotMessage: (key: string, message: RobotMessage, options?: { retryBusy?: boolean }) =>
      client.webhookSend<WecomResponse>(key, message, options),
  };
}

export type WecomApi = ReturnType<typeof createWecomApi>;
