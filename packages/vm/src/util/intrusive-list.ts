/** Links a node carries itself (an intrusive list: no side map, no per-list node objects). */
export interface ListNode<N> {
  prev: N | null;
  next: N | null;
}

/**
 * An ordered list of nodes that carry their own links: O(1) append, move-to-end and remove, iteration in both
 * directions. A node belongs to at most one list at a time (the caller removes it before adding it elsewhere).
 */
export class IntrusiveList<N extends ListNode<N>> {
  private head: N | null = null;
  private tail: N | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Append a node that is in no list. */
  append(node: N): void {
    node.prev = this.tail;
    node.next = null;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.count += 1;
  }

  /** Move a node of this list to the end. */
  moveToEnd(node: N): void {
    if (node === this.tail) return;
    this.remove(node);
    this.append(node);
  }

  /** Take a node of this list out of it. */
  remove(node: N): void {
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = null;
    node.next = null;
    this.count -= 1;
  }

  clear(): void {
    this.head = null;
    this.tail = null;
    this.count = 0;
  }

  /** Oldest → newest. */
  *values(): IterableIterator<N> {
    for (let n = this.head; n; n = n.next) yield n;
  }

  /** Newest → oldest. */
  *reversed(): IterableIterator<N> {
    for (let n = this.tail; n; n = n.prev) yield n;
  }
}
