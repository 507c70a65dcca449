import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { addDays, today } from '../lib/format';

/** The longest range the dashboards answer (MAX_RANGE_DAYS of shared/schemas/console-dashboards.ts). */
export const MAX_RANGE_DAYS = 366;

/**
 * The dashboards' filters, shared by every dashboard page so that moving from the overview to the reps keeps the
 * range and the department. Days are the corp's calendar days; the default is the last 30 days including today.
 */
export const useDashboardFilters = defineStore('dashboard-filters', () => {
  const to = ref(today());
  const from = ref(addDays(to.value, -29));
  const departmentId = ref<number | null>(null);
  const userId = ref<string | null>(null);
  const channelId = ref<number | null>(null);

  /** The query of every dashboard API (empty filters left out). */
  const query = computed(() => ({
    from: from.value,
    to: to.value,
    ...(departmentId.value ? { departmentId: departmentId.value } : {}),
    ...(userId.value ? { userId: userId.value } : {}),
    ...(channelId.value ? { channelId: channelId.value } : {}),
  }));

  function setRange(range: [string, string]) {
    from.value = range[0];
    to.value = range[1];
  }

  function reset() {
    to.value = today();
    from.value = addDays(to.value, -29);
    departmentId.value = null;
    userId.value = null;
    channelId.value = null;
  }

  return { from, to, departmentId, userId, channelId, query, setRange, reset };
});
