import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { api } from '../api/client';
import type { Department, RepRef, Stage, TagGroup } from '../api/types';

/**
 * The lists pickers and filters choose from — departments and reps in the caller's scope, the tag library, the
 * stages — each loaded once per page load (on first use) and reloaded when a page changes them.
 */
export const useLookupsStore = defineStore('lookups', () => {
  const departments = shallowRef<Department[]>([]);
  const reps = shallowRef<RepRef[]>([]);
  const tagGroups = shallowRef<TagGroup[]>([]);
  const stages = shallowRef<Stage[]>([]);
  const loaded = ref({ departments: false, reps: false, tags: false, stages: false });
  const pending = new Map<string, Promise<void>>();

  function once(key: keyof typeof loaded.value, load: () => Promise<void>, force: boolean): Promise<void> {
    if (loaded.value[key] && !force) return Promise.resolve();
    const running = pending.get(key);
    if (running && !force) return running;
    const p = load()
      .then(() => {
        loaded.value = { ...loaded.value, [key]: true };
      })
      .finally(() => pending.delete(key));
    pending.set(key, p);
    return p;
  }

  const loadDepartments = (force = false) =>
    once('departments', async () => void (departments.value = (await api.departments()).items), force);
  const loadReps = (force = false) => once('reps', async () => void (reps.value = (await api.reps()).items), force);
  const loadTags = (force = false) =>
    once('tags', async () => void (tagGroups.value = (await api.tagLibrary()).groups), force);
  const loadStages = (force = false) => once('stages', async () => void (stages.value = await api.stages()), force);

  /** Departments as a tree (a manager's top departments have their parent outside the scope). */
  const departmentTree = computed(() => {
    type Node = { value: number; label: string; children: Node[] };
    const nodes = new Map<number, Node>(
      departments.value.map((d) => [d.id, { value: d.id, label: d.name, children: [] }]),
    );
    const roots: Node[] = [];
    for (const d of departments.value) {
      const node = nodes.get(d.id)!;
      const parent = d.parentId === null ? undefined : nodes.get(d.parentId);
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    return roots;
  });

  /**
   * Departments in tree order with their depth (a select indents them; cheaper than a tree select): a manager's
   * top departments have their parent outside the scope and start at depth 0.
   */
  const departmentOptions = computed(() => {
    const out: { id: number; name: string; depth: number }[] = [];
    const visit = (nodes: { value: number; label: string; children: unknown[] }[], depth: number) => {
      for (const n of nodes) {
        out.push({ id: n.value, name: n.label, depth });
        visit(n.children as typeof nodes, depth + 1);
      }
    };
    visit(departmentTree.value, 0);
    return out;
  });

  /** A department and every department under it. */
  function departmentWithChildren(id: number): Set<number> {
    const ids = new Set([id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const d of departments.value) {
        if (d.parentId !== null && ids.has(d.parentId) && !ids.has(d.id)) {
          ids.add(d.id);
          grew = true;
        }
      }
    }
    return ids;
  }

  /** Reps whose main department is this one or under it (all reps without a department). */
  function repsIn(departmentId: number | null | undefined): RepRef[] {
    if (!departmentId) return reps.value;
    const ids = departmentWithChildren(departmentId);
    return reps.value.filter((r) => r.department && ids.has(r.department.id));
  }

  const tagsById = computed(() => {
    const map = new Map<string, { id: string; name: string; groupName: string }>();
    for (const g of tagGroups.value)
      for (const t of g.tags) map.set(t.id, { id: t.id, name: t.name, groupName: g.name });
    return map;
  });

  const repName = (userId: string) => reps.value.find((r) => r.userId === userId)?.name ?? userId;

  return {
    departments,
    reps,
    tagGroups,
    stages,
    loadDepartments,
    loadReps,
    loadTags,
    loadStages,
    departmentTree,
    departmentOptions,
    departmentWithChildren,
    repsIn,
    tagsById,
    repName,
  };
});
