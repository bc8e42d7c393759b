interface LinkNode {
  id: string;
  prev: LinkNode | null;
  next: LinkNode | null;
}

/** An ordered id set with O(1) add / move-to-end / delete and iteration in both directions. */
export class LinkedSet {
  private readonly nodes = new Map<string, LinkNode>();
  private head: LinkNode | null = null;
  private tail: LinkNode | null = null;

  get size(): number {
    return this.nodes.size;
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  /** Append `id`, or move it to the end if present. */
  touch(id: string): void {
    const existing = this.nodes.get(id);
    if (existing) {
      if (existing === this.tail) return;
      this.unlink(existing);
      this.append(existing);
      return;
    }
    const node: LinkNode = { id, prev: null, next: null };
    this.nodes.set(id, node);
    this.append(node);
  }

  delete(id: string): boolean {
    const node = this.nodes.get(id);
    if (!node) return false;
    this.unlink(node);
    this.nodes.delete(id);
    return true;
  }

  clear(): void {
    this.nodes.clear();
    this.head = null;
    this.tail = null;
  }

  /** Oldest → newest. */
  *values(): IterableIterator<string> {
    for (let n = this.head; n; n = n.next) yield n.id;
  }

  /** Newest → oldest. */
  *reversed(): IterableIterator<string> {
    for (let n = this.tail; n; n = n.prev) yield n.id;
  }

  private append(node: LinkNode): void {
    node.prev = this.tail;
    node.next = null;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
  }

  private unlink(node: LinkNode): void {
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = null;
    node.next = null;
  }
}
