import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { api } from '../api/client';
import type { Me } from '../api/types';
import { setDisplayTimeZone } from '../lib/format';

/** Who the rep is: `GET /api/me` (a 401 goes through OAuth again, in the API client). */
export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null);
  const status = ref<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const error = shallowRef<unknown>(null);

  async function load(): Promise<Me | null> {
    status.value = 'loading';
    error.value = null;
    try {
      me.value = await api.me();
      setDisplayTimeZone(me.value.timeZone);
      status.value = 'ready';
      return me.value;
    } catch (err) {
      error.value = err;
      status.value = 'error';
      return null;
    }
  }

  return { me, status, error, load };
});
