import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type Router,
  type RouteRecordRaw,
  type RouterHistory,
} from 'vue-router';
import type { ConsoleRole } from './api/types';
import AppLayout from './components/AppLayout.vue';
import { useSessionStore } from './stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** The page's title (tab and header). */
    title?: string;
    /** Who may open it; absent: anyone signed in. */
    roles?: ConsoleRole[];
    /** The sign-in page: no session needed. */
    public?: boolean;
    /** The menu entry highlighted on this page (detail pages light their list). */
    menu?: string;
  }
}

const ADMIN: ConsoleRole[] = ['admin'];

/** One entry of the side menu. */
export interface MenuItem {
  name: string;
  title: string;
  roles?: ConsoleRole[];
}
export interface MenuGroup {
  title: string;
  items: MenuItem[];
}

/**
 * The pages. Every page but the sign-in is a lazy chunk: the first load is the shell (layout, menu, sign-in) and the
 * page opened; the dashboards' echarts comes with them. Admin-only pages are hidden from managers and refused by the
 * guard (the server refuses their API too).
 */
export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { public: true, title: '登录' },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', redirect: { name: 'overview' } },
      {
        path: 'overview',
        name: 'overview',
        component: () => import('./views/OverviewView.vue'),
        meta: { title: '数据概览' },
      },
      { path: 'reps', name: 'reps', component: () => import('./views/RepsView.vue'), meta: { title: '员工统计' } },
      {
        path: 'reps/:userId',
        name: 'rep',
        component: () => import('./views/RepDetailView.vue'),
        meta: { title: '员工详情', menu: 'reps' },
      },
      {
        path: 'channel-stats',
        name: 'channel-stats',
        component: () => import('./views/ChannelStatsView.vue'),
        meta: { title: '渠道统计' },
      },
      {
        path: 'channel-stats/:id(\\d+)',
        name: 'channel-stat',
        component: () => import('./views/ChannelStatDetailView.vue'),
        meta: { title: '渠道详情', menu: 'channel-stats' },
      },
      {
        path: 'conversations',
        name: 'conversations',
        component: () => import('./views/ConversationsView.vue'),
        meta: { title: '会话' },
      },
      {
        path: 'conversations/:id(\\d+)',
        name: 'conversation',
        component: () => import('./views/ConversationView.vue'),
        meta: { title: '会话记录', menu: 'conversations' },
      },
      {
        path: 'customers',
        name: 'customers',
        component: () => import('./views/CustomersView.vue'),
        meta: { title: '客户' },
      },
      {
        path: 'customers/:externalUserId',
        name: 'customer',
        component: () => import('./views/CustomerView.vue'),
        meta: { title: '客户详情', menu: 'customers' },
      },
      {
        path: 'channels',
        name: 'channels',
        component: () => import('./views/ChannelsView.vue'),
        meta: { title: '渠道活码', roles: ADMIN },
      },
      {
        path: 'channels/new',
        name: 'channel-new',
        component: () => import('./views/ChannelEditView.vue'),
        meta: { title: '新建渠道活码', roles: ADMIN, menu: 'channels' },
      },
      {
        path: 'channels/:id(\\d+)',
        name: 'channel-edit',
        component: () => import('./views/ChannelEditView.vue'),
        meta: { title: '编辑渠道活码', roles: ADMIN, menu: 'channels' },
      },
      {
        path: 'tags',
        name: 'tags',
        component: () => import('./views/TagsView.vue'),
        meta: { title: '客户标签', roles: ADMIN },
      },
      {
        path: 'stages',
        name: 'stages',
        component: () => import('./views/StagesView.vue'),
        meta: { title: '客户阶段', roles: ADMIN },
      },
      {
        path: 'scripts',
        name: 'scripts',
        component: () => import('./views/ScriptsView.vue'),
        meta: { title: '话术库' },
      },
      {
        path: 'keyword-rules',
        name: 'keyword-rules',
        component: () => import('./views/KeywordRulesView.vue'),
        meta: { title: '敏感词规则', roles: ADMIN },
      },
      {
        path: 'automations',
        name: 'automations',
        component: () => import('./views/AutomationsView.vue'),
        meta: { title: '自动化与机器人', roles: ADMIN },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('./views/UsersView.vue'),
        meta: { title: '账号与权限', roles: ADMIN },
      },
      {
        path: 'work-calendar',
        name: 'work-calendar',
        component: () => import('./views/WorkCalendarView.vue'),
        meta: { title: '工作时间', roles: ADMIN },
      },
      {
        path: 'settings',
        name: 'settings',
        component: () => import('./views/SettingsView.vue'),
        meta: { title: '企业设置', roles: ADMIN },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./views/AuditView.vue'),
        meta: { title: '操作日志', roles: ADMIN },
      },
      {
        path: 'password',
        name: 'password',
        component: () => import('./views/PasswordView.vue'),
        meta: { title: '修改密码' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFoundView.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
];

export const MENU: MenuGroup[] = [
  {
    title: '数据看板',
    items: [
      { name: 'overview', title: '数据概览' },
      { name: 'reps', title: '员工统计' },
      { name: 'channel-stats', title: '渠道统计' },
    ],
  },
  {
    title: '客户运营',
    items: [
      { name: 'customers', title: '客户' },
      { name: 'conversations', title: '会话' },
    ],
  },
  {
    title: '配置管理',
    items: [
      { name: 'channels', title: '渠道活码', roles: ADMIN },
      { name: 'tags', title: '客户标签', roles: ADMIN },
      { name: 'stages', title: '客户阶段', roles: ADMIN },
      { name: 'scripts', title: '话术库' },
      { name: 'keyword-rules', title: '敏感词规则', roles: ADMIN },
      { name: 'automations', title: '自动化与机器人', roles: ADMIN },
    ],
  },
  {
    title: '系统设置',
    items: [
      { name: 'users', title: '账号与权限', roles: ADMIN },
      { name: 'work-calendar', title: '工作时间', roles: ADMIN },
      { name: 'settings', title: '企业设置', roles: ADMIN },
      { name: 'audit', title: '操作日志', roles: ADMIN },
    ],
  },
];

/** Where a signed-out visitor goes: the sign-in page, which brings them back afterwards. */
function toLogin(to: RouteLocationNormalized) {
  const redirect = to.fullPath === '/' || to.name === 'login' ? undefined : to.fullPath;
  return { name: 'login', query: redirect ? { redirect } : {} };
}

export function installGuards(router: Router) {
  router.beforeEach(async (to) => {
    const session = useSessionStore();
    if (session.status === 'unknown') {
      try {
        await session.load();
      } catch {
        // The server cannot be reached: pages show their own errors; the sign-in page works without it.
        if (!to.meta.public) return toLogin(to);
      }
    }
    if (to.meta.public) {
      // Signed in already: the sign-in page has nothing to do.
      if (session.status === 'signed-in' && to.name === 'login') {
        const redirect = typeof to.query.redirect === 'string' ? to.query.redirect : '/';
        return safeRedirect(redirect);
      }
      return true;
    }
    if (session.status !== 'signed-in') return toLogin(to);
    if (session.me?.user.mustChangePassword && to.name !== 'password') return { name: 'password' };
    if (!session.allows(to.meta.roles)) return { name: 'overview', query: { denied: to.meta.title ?? '' } };
    return true;
  });
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · 管理后台` : '管理后台';
  });
}

/** Only a path of this app: never an address elsewhere (`//evil.example`, `https:…`). */
export function safeRedirect(value: string): string {
  return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

export function createConsoleRouter(history: RouterHistory = createWebHistory('/console/')) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });
  installGuards(router);
  return router;
}
