import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { api } from '../api/client';
import type { CustomerCard, Stage, TagLibraryGroup } from '../api/types';

/** The customer card: profile, the rep's remark/description/tags, stage; and the lists its editors pick from. */
export const useCustomerStore = defineStore('customer', () => {
  const externalUserId = ref<string | null>(null);
  const card = ref<CustomerCard | null>(null);
  const status = ref<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const error = shallowRef<unknown>(null);
  const saving = ref(false);
  const stages = ref<Stage[] | null>(null);
  const tagLibrary = ref<TagLibraryGroup[] | null>(null);
  let loadSeq = 0;

  const tagIds = computed(() => card.value?.tags.flatMap((g) => g.tags.map((t) => t.tagId)) ?? []);

  async function load(id: string) {
    const seq = ++loadSeq;
    externalUserId.value = id;
    card.value = null;
    error.value = null;
    status.value = 'loading';
    try {
      const loaded = await api.customer(id);
      if (seq !== loadSeq) return;
      card.value = loaded;
      status.value = 'ready';
    } catch (err) {
      if (seq !== loadSeq) return;
      error.value = err;
      status.value = 'error';
    }
  }

  /** Runs one change of the card; the server answers with the new card. Errors go to the caller (a toast). */
  async function change(run: (id: string) => Promise<CustomerCard>) {
    const id = externalUserId.value;
    if (!id) throw new Error('no customer loaded');
    saving.value = true;
    try {
      const updated = await run(id);
      if (id === externalUserId.value) card.value = updated;
    } finally {
      saving.value = false;
    }
  }

  const saveRemark = (remark: string) => change((id) => api.patchCustomer(id, { remark }));
  const saveDescription = (description: string) => change((id) => api.patchCustomer(id, { description }));
  const saveStage = (stageId: number) => change((id) => api.changeStage(id, stageId));

  /** The editor hands back the whole selection; WeCom's mark_tag wants what to add and what to remove. */
  async function saveTags(selected: readonly string[]) {
    const current = new Set(tagIds.value);
    const wanted = new Set(selected);
    const add = [...wanted].filter((t) => !current.has(t));
    const remove = [...current].filter((t) => !wanted.has(t));
    if (add.length === 0 && remove.length === 0) return false;
    await change((id) => api.changeTags(id, { add, remove }));
    return true;
  }

  async function loadStages() {
    stages.value ??= [...(await api.stages())].sort((a, b) => a.order - b.order);
    return stages.value;
  }

  async function loadTagLibrary() {
    tagLibrary.value ??= await api.tagLibrary();
    return tagLibrary.value;
  }

  return {
    externalUserId,
    card,
    status,
    error,
    saving,
    stages,
    tagLibrary,
    tagIds,
    load,
    saveRemark,
    saveDescription,
    saveStage,
    saveTags,
    loadStages,
    loadTagLibrary,
  };
});
