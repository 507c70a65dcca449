import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/client';
import type { Task } from '../api/types';
import { latestLoad } from '../lib/latest-load';

/** How long 稍后提醒 puts a task off. */
export const SNOOZE_MINUTES = 60;

/**
 * The rep's open tasks (待办): the current customer's, and how many the rep has in all. Done and snoozed tasks leave
 * the list at once (the server decides what is open; the counts come back with the next load).
 */
export const useTasksStore = defineStore('tasks', () => {
  const externalUserId = ref<string | null>(null);
  const items = ref<Task[]>([]);
  const openCount = ref(0);
  const overdueCount = ref(0);
  const loads = latestLoad();
  const { status, error } = loads;
  const busyId = ref<number | null>(null);

  async function load(id: string | null) {
    externalUserId.value = id;
    await loads.run(
      // The counts are the rep's in all, whichever customer the list is for; a group chat lists none.
      () => api.tasks(id ? { externalUserId: id } : { limit: 1 }),
      (list) => {
        openCount.value = list.openCount;
        overdueCount.value = list.overdueCount;
        items.value = id ? list.items : [];
      },
    );
  }

  async function act(taskId: number, action: () => Promise<Task>) {
    if (busyId.value !== null) return false;
    const task = items.value.find((t) => t.id === taskId);
    busyId.value = taskId;
    try {
      await action();
      items.value = items.value.filter((t) => t.id !== taskId);
      openCount.value = Math.max(0, openCount.value - 1);
      // The rep's counts are of the tasks showing now: done and snoozed ones both leave them.
      if (task?.overdue) overdueCount.value = Math.max(0, overdueCount.value - 1);
      return true;
    } finally {
      busyId.value = null;
    }
  }

  const done = (taskId: number) => act(taskId, () => api.taskDone(taskId));
  const snooze = (taskId: number, minutes = SNOOZE_MINUTES) => act(taskId, () => api.snoozeTask(taskId, minutes));

  return { externalUserId, items, openCount, overdueCount, status, error, busyId, load, done, snooze };
});
