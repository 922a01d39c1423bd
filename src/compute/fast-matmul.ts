/** Placeholder: replaced by the BatchMatMul override for the wasm backend. */
export function installFastMatMul(): void {}
