import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { ElMessage } from 'element-plus';
import 'dayjs/locale/zh-cn';
import App from './App.vue';
import { api } from './api/client';
import { createConsoleRouter } from './router';
import { useSessionStore } from './stores/session';
import { errorMessage, isSessionEnd } from './lib/errors';
import './styles/element';
import './styles/base.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const router = createConsoleRouter();
app.use(router);

// Central 401: whatever asked, the session is over — back to the sign-in page with a message, and back here after.
const session = useSessionStore(pinia);
api.onSessionExpired(() => {
  session.expire();
  const current = router.currentRoute.value;
  if (current.meta.public) return;
  void router.replace({ name: 'login', query: { redirect: current.fullPath } });
});

// Failures no page handled (a stray promise, a bug): say so instead of failing silently.
function report(err: unknown) {
  console.error(err);
  if (!isSessionEnd(err)) ElMessage.error(errorMessage(err));
}
window.addEventListener('unhandledrejection', (event) => report(event.reason));
app.config.errorHandler = (err) => report(err);

app.mount('#app');
