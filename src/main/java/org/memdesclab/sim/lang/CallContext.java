package org.memdesclab.sim.lang;

import java.util.List;
import org.memdesclab.sim.Addresses;
import org.memdesclab.sim.KernelError;
import org.memdesclab.sim.Machine;

/**
 * What a function implementation sees: the machine, a place to print lines (dump_page) and teaching
 * notes, and the checks that turn a C pointer into a PFN the way the kernel's arithmetic does.
 */
public final class CallContext {
    private final Machine machine;
    private final List<String> output;
    private final List<String> notes;
    private final String function;

    CallContext(Machine machine, List<String> output, List<String> notes, String function) {
        this.machine = machine;
        this.output = output;
        this.notes = notes;
        this.function = function;
    }

    public Machine machine() { return machine; }

    /** Prints a line as part of the statement's output (before the statement's value). */
    public void print(String line) { output.add(line); }

    public void printAll(List<String> lines) { output.addAll(lines); }

    /** Adds a teaching remark that is not part of the output. */
    public void note(String text) { if (!notes.contains(text)) notes.add(text); }

    public String function() { return function; }

    /**
     * page_to_pfn() as pure arithmetic: {@code (page - vmemmap)}. Refuses pointers that are not in the
     * vmemmap or not on a struct page boundary (the kernel would silently compute nonsense), but not
     * PFNs beyond this machine: those fault only when something reads the struct page.
     */
    public long pfnOf(Value page) {
        long addr = page.bits();
        if (addr == 0) throw nullDeref(0);
        if (!Addresses.inVmemmap(addr)) {
            throw KernelError.error(String.format("%s(): 0x%016x is not a struct page address (struct pages live in the vmemmap, "
                    + "from 0x%016x)", function, addr, Addresses.VMEMMAP_BASE));
        }
        long off = addr - Addresses.VMEMMAP_BASE;
        if (off % Addresses.STRUCT_PAGE_SIZE != 0) {
            throw KernelError.error(String.format("%s(): 0x%016x is not a struct page: it points %d byte(s) into the struct page "
                    + "of PFN %d (struct pages are %d bytes apart)", function, addr, off % Addresses.STRUCT_PAGE_SIZE,
                    off / Addresses.STRUCT_PAGE_SIZE, Addresses.STRUCT_PAGE_SIZE));
        }
        return off / Addresses.STRUCT_PAGE_SIZE;
    }

    /** {@link #pfnOf} for a function that reads the struct page: it must be one of this machine's. */
    public long pagePfn(Value page) {
        long pfn = pfnOf(page);
        if (!machine.validPfn(pfn)) throw pageFault(page.bits(), pfn);
        return pfn;
    }

    /** The kernel's oops for a read of an unmapped struct page, with the lab's explanation. */
    public KernelError pageFault(long addr, long pfn) {
        return new KernelError(List.of(
                String.format("BUG: unable to handle page fault for address: %016x", addr),
                "#PF: supervisor read access in kernel mode",
                "#PF: error_code(0x0000) - not-present page",
                "(" + function + "() was given the struct page of PFN " + Long.toUnsignedString(pfn)
                        + ", outside this machine's memmap, PFNs 0.." + (machine.nrPages() - 1) + ")"));
    }

    /** A NULL pointer dereference oops at {@code offset} (the member the function reads first). */
    public KernelError nullDeref(long offset) {
        return new KernelError(List.of(
                String.format("BUG: kernel NULL pointer dereference, address: %016x", offset),
                "#PF: supervisor read access in kernel mode",
                "#PF: error_code(0x0000) - not-present page",
                "(" + function + "() was given NULL)"));
    }

    /** Reads {@code size} bytes of kernel memory, as a C dereference would. */
    public long read(long addr, int size) { return machine.readMemory(addr, size); }

    public static Value page(long pfn) { return Value.pointer(CType.PAGE_PTR, Addresses.pageAddress(pfn)); }

    public static Value folio(long pfn) { return Value.pointer(CType.FOLIO_PTR, Addresses.pageAddress(pfn)); }
}
