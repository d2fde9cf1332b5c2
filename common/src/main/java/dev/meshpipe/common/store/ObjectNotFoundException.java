package dev.meshpipe.common.store;

import java.io.FileNotFoundException;

public class ObjectNotFoundException extends FileNotFoundException {
    public ObjectNotFoundException(String key) {
        super("no object " + key);
    }
}
