// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import ChatBubble from '../../../sidebar/src/components/ChatBubble.vue';
import { mediaPictureUrl, useMockChatStore } from '../../../sidebar/src/stores/mock-chat';
import { useScriptsStore } from '../../../sidebar/src/stores/scripts';

const MEDIA_ID = '3Jy_ZOdtQ8vX2kLp9mN4rT7wYbC1eFgH';
const image = { msgtype: 'image' as const, image: { mediaid: MEDIA_ID } };

beforeEach(() => {
  setActivePinia(createPinia());
  window.sessionStorage.clear();
});

describe('ChatBubble: an image sent into the stand-in chat', () => {
  it('shows the picture WeCom holds under the media id, never the id itself', () => {
    const wrapper = mount(ChatBubble, {
      props: { message: image, title: '智能手表产品图', pictureUrl: mediaPictureUrl(MEDIA_ID) },
    });
    const picture = wrapper.get('[data-testid="chat-picture"]');
    expect(picture.attributes('src')).toBe(`/emulator/media/${MEDIA_ID}`);
    expect(picture.attributes('alt')).toBe('图片：智能手表产品图');
    expect(wrapper.text()).not.toContain(MEDIA_ID.slice(0, 8));
  });

  it('falls back to 「[图片] title」 when the picture cannot be loaded', async () => {
    const wrapper = mount(ChatBubble, {
      props: { message: image, title: '智能手表产品图', pictureUrl: mediaPictureUrl(MEDIA_ID) },
    });
    await wrapper.get('[data-testid="chat-picture"]').trigger('error');
    expect(wrapper.find('[data-testid="chat-picture"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="chat-picture-fallback"]').text()).toBe('🖼[图片] 智能手表产品图');
    expect(wrapper.html()).not.toContain(MEDIA_ID);
  });

  it('without a picture or a title still says 「[图片]」 and hides the media id', () => {
    const wrapper = mount(ChatBubble, { props: { message: image } });
    expect(wrapper.get('[data-testid="chat-picture-fallback"]').text()).toBe('🖼[图片]');
    expect(wrapper.html()).not.toContain(MEDIA_ID);
  });
});

describe('mock chat transcript', () => {
  it('names a message after the script being sent when it was put into the chat', () => {
    const scripts = useScriptsStore();
    scripts.items = [
      {
        id: 7,
        groupId: 1,
        groupName: '产品介绍',
        title: '智能手表产品图',
        kind: 'image',
        content: '智能手表新款产品图',
        payload: { url: '/demo-assets/scripts/smart-watch.png' },
        favorite: false,
        sendCount: 0,
      },
    ];
    const chat = useMockChatStore();
    chat.start('lina', 'wm_1');

    scripts.sendingId = 7;
    chat.record({ externalUserId: 'wm_1', message: image, at: 1 });
    scripts.sendingId = null;
    chat.record({ externalUserId: 'wm_1', message: { msgtype: 'text', text: { content: '你好' } }, at: 2 });

    expect(chat.transcript.map((m) => m.title)).toEqual(['智能手表产品图', undefined]);
    // The title survives a reload of the page, with the transcript.
    const again = JSON.parse(window.sessionStorage.getItem('scrm.sidebar.mockChat.lina')!) as Record<
      string,
      { title?: string }[]
    >;
    expect(again.wm_1![0]!.title).toBe('智能手表产品图');
  });
});
