// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../sidebar/src/api/client';
import { describeError } from '../../../sidebar/src/lib/errors';
import { WecomError } from '../../../sidebar/src/wecom/adapter';

describe('describeError: what the rep reads', () => {
  it('says in Chinese what to do, and whether 重试 can help', () => {
    expect(describeError(new WecomError('not_in_wecom', '请在企业微信客户聊天的侧边栏中打开'))).toMatchObject({
      message: '请在企业微信客户聊天的侧边栏中打开',
      retryable: false,
    });
    expect(describeError(new ApiError(403, 'forbidden', 'not yours'))).toMatchObject({
      message: '该客户不是你跟进的客户，无法查看或修改',
      retryable: false,
    });
    expect(describeError(new ApiError(0, 'network', '网络异常，请检查网络后重试'))).toMatchObject({ retryable: true });
    expect(describeError(new ApiError(500, 'internal', 'Internal Server Error'))).toMatchObject({
      message: '服务暂时不可用，请稍后重试',
      retryable: true,
    });
    expect(describeError(new ApiError(401, 'reauthenticating', '正在重新登录…'))).toMatchObject({ pending: true });
    expect(describeError(new TypeError('x is undefined'))).toMatchObject({ title: '页面出错了', retryable: true });
  });

  it("prefers the server's own Chinese sentence, never an English one", () => {
    expect(describeError(new ApiError(400, 'bad_request', '备注最多 20 个字', { field: 'remark' })).message).toBe(
      '备注最多 20 个字',
    );
    expect(
      describeError(new ApiError(400, 'validation', 'must NOT have more than 20 characters', { field: '/body/remark' }))
        .message,
    ).toBe('「备注」填写有误，请检查后重试');
    expect(describeError(new ApiError(502, 'wecom_error', '企业微信接口暂时不可用')).message).toBe(
      '企业微信接口暂时不可用',
    );
  });
});
