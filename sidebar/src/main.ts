import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createSidebarRouter } from './router';
import { useFeedbackStore } from './stores/feedback';
import './styles/vant';
import './styles/base.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(createSidebarRouter());

// Failures outside any component (a stray promise): tell the rep instead of failing silently.
const feedback = useFeedbackStore(pinia);
window.addEventListener('unhandledrejection', (event) => {
  console.error(event.reason);
  feedback.fail(event.reason);
});
// Errors no component captured (App.vue's errorCaptured handles those under it): log, and say so.
app.config.errorHandler = (err, _instance, info) => {
  console.error(err, info);
  feedback.fail(err);
};

app.mount('#app');
