import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import SidebarView from './views/SidebarView.vue';

/**
 * The page is served at /sidebar/ (the server serves index.html there only). The manager console will be a page
 * of its own at /console/ with its own router; this one only knows the sidebar.
 */
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'sidebar', component: SidebarView },
  { path: '/:pathMatch(.*)*', redirect: (to) => ({ path: '/', query: to.query }) },
];

export function createSidebarRouter() {
  return createRouter({ history: createWebHistory(import.meta.env.BASE_URL), routes });
}
