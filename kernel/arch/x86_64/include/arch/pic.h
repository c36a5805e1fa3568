/* The legacy 8259 PIC pair: remapped out of the exception range and masked. */
#ifndef ARCH_PIC_H
#define ARCH_PIC_H

/*
 * Reprograms both 8259s to deliver at IRQ_VECTOR_PIC..+15 (so a stray
 * interrupt can never look like a CPU exception) and masks all 16 lines.
 * Harmless where there is no PIC (the port writes go nowhere).
 */
void pic_disable(void);

#endif
