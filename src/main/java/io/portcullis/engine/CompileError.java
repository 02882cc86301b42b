package io.portcullis.engine;

/** One error from OPA's parser or compiler; line and column are 1-based, 0 when OPA gave no location. */
public record CompileError(String module, int line, int column, String code, String message) {
    @Override
    public String toString() {
        String where = module == null || module.isEmpty() ? "" : line > 0 ? module + ":" + line + ":" + column + ": " : module + ": ";
        return where + code + ": " + message;
    }
}
