//! Built-in classes. Their ids are fixed: the VM creates exceptions and strings by
//! these ids, and the compiler appends user classes (and further array classes)
//! after [`FIRST_FREE_ID`].

/// What kind of object a built-in class describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinShape {
    /// A plain instance with these fields, each `(name, JVM descriptor)`.
    Instance(&'static [(&'static str, &'static str)]),
    /// `String`: an array-shaped object of UTF-16 code units (`char` elements).
    String,
    /// An array whose element type is this JVM descriptor (`"I"`, `"Ljava/lang/Object;"`).
    Array(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinClass {
    pub id: u32,
    /// Internal name, as in JVM descriptors: `java/lang/String`, `[I`.
    pub internal: &'static str,
    /// Superclass id (`None` only for `Object`).
    pub super_id: Option<u32>,
    pub shape: BuiltinShape,
}

macro_rules! builtins {
    ($($id:literal $konst:ident $internal:literal $super:expr, $shape:expr;)*) => {
        $(pub const $konst: u32 = $id;)*
        /// Every built-in class, indexed by id.
        pub static BUILTINS: &[BuiltinClass] = &[
            $(BuiltinClass { id: $id, internal: $internal, super_id: $super, shape: $shape },)*
        ];
    };
}

use BuiltinShape::{Array, Instance};
/// Fields of `Throwable` (and so of every exception): the detail message, the
/// cause (the throwable itself while unset, as in Java; null for "no cause"),
/// and the VM's backtrace (an `int[]` of `(method, pc)` pairs, innermost first).
const THROWABLE_FIELDS: &[(&str, &str)] = &[
    ("message", "Ljava/lang/String;"),
    ("cause", "Ljava/lang/Throwable;"),
    ("backtrace", "Ljava/lang/Object;"),
];

/// Fields of `PrintStream`: the stream it writes to (null for `System.out` and
/// `System.err`, which the VM writes itself), the file descriptor (1 or 2; 0 when
/// `out` is set), whether an error was seen (`checkError`) and whether a line
/// flushes `out`.
const PRINT_STREAM_FIELDS: &[(&str, &str)] = &[
    ("out", "Ljava/io/OutputStream;"),
    ("fd", "I"),
    ("trouble", "Z"),
    ("autoFlush", "Z"),
];

builtins! {
    0 OBJECT "java/lang/Object" None, Instance(&[]);
    1 STRING "java/lang/String" Some(OBJECT), BuiltinShape::String;
    2 PRINT_STREAM "java/io/PrintStream" Some(OBJECT), Instance(PRINT_STREAM_FIELDS);
    3 THROWABLE "java/lang/Throwable" Some(OBJECT), Instance(THROWABLE_FIELDS);
    4 EXCEPTION "java/lang/Exception" Some(THROWABLE), Instance(&[]);
    5 RUNTIME_EXCEPTION "java/lang/RuntimeException" Some(EXCEPTION), Instance(&[]);
    6 ERROR "java/lang/Error" Some(THROWABLE), Instance(&[]);
    7 ARITHMETIC_EXCEPTION "java/lang/ArithmeticException" Some(RUNTIME_EXCEPTION), Instance(&[]);
    8 INDEX_OUT_OF_BOUNDS_EXCEPTION "java/lang/IndexOutOfBoundsException" Some(RUNTIME_EXCEPTION), Instance(&[]);
    9 ARRAY_INDEX_OUT_OF_BOUNDS_EXCEPTION "java/lang/ArrayIndexOutOfBoundsException" Some(INDEX_OUT_OF_BOUNDS_EXCEPTION), Instance(&[]);
    10 STRING_INDEX_OUT_OF_BOUNDS_EXCEPTION "java/lang/StringIndexOutOfBoundsException" Some(INDEX_OUT_OF_BOUNDS_EXCEPTION), Instance(&[]);
    11 NEGATIVE_ARRAY_SIZE_EXCEPTION "java/lang/NegativeArraySizeException" Some(RUNTIME_EXCEPTION), Instance(&[]);
    12 NULL_POINTER_EXCEPTION "java/lang/NullPointerException" Some(RUNTIME_EXCEPTION), Instance(&[]);
    13 CLASS_CAST_EXCEPTION "java/lang/ClassCastException" Some(RUNTIME_EXCEPTION), Instance(&[]);
    14 ILLEGAL_ARGUMENT_EXCEPTION "java/lang/IllegalArgumentException" Some(RUNTIME_EXCEPTION), Instance(&[]);
    15 NUMBER_FORMAT_EXCEPTION "java/lang/NumberFormatException" Some(ILLEGAL_ARGUMENT_EXCEPTION), Instance(&[]);
    16 ILLEGAL_STATE_EXCEPTION "java/lang/IllegalStateException" Some(RUNTIME_EXCEPTION), Instance(&[]);
    17 UNSUPPORTED_OPERATION_EXCEPTION "java/lang/UnsupportedOperationException" Some(RUNTIME_EXCEPTION), Instance(&[]);
    18 ARRAY_STORE_EXCEPTION "java/lang/ArrayStoreException" Some(RUNTIME_EXCEPTION), Instance(&[]);
    19 VIRTUAL_MACHINE_ERROR "java/lang/VirtualMachineError" Some(ERROR), Instance(&[]);
    20 STACK_OVERFLOW_ERROR "java/lang/StackOverflowError" Some(VIRTUAL_MACHINE_ERROR), Instance(&[]);
    21 OUT_OF_MEMORY_ERROR "java/lang/OutOfMemoryError" Some(VIRTUAL_MACHINE_ERROR), Instance(&[]);
    22 BOOLEAN_ARRAY "[Z" Some(OBJECT), Array("Z");
    23 BYTE_ARRAY "[B" Some(OBJECT), Array("B");
    24 CHAR_ARRAY "[C" Some(OBJECT), Array("C");
    25 SHORT_ARRAY "[S" Some(OBJECT), Array("S");
    26 INT_ARRAY "[I" Some(OBJECT), Array("I");
    27 LONG_ARRAY "[J" Some(OBJECT), Array("J");
    28 FLOAT_ARRAY "[F" Some(OBJECT), Array("F");
    29 DOUBLE_ARRAY "[D" Some(OBJECT), Array("D");
    30 OBJECT_ARRAY "[Ljava/lang/Object;" Some(OBJECT), Array("Ljava/lang/Object;");
    31 STRING_ARRAY "[Ljava/lang/String;" Some(OBJECT), Array("Ljava/lang/String;");
}

/// The first id the compiler may give a class of its own.
pub const FIRST_FREE_ID: u32 = 32;

/// The built-in class with this internal name.
pub fn by_internal(name: &str) -> Option<&'static BuiltinClass> {
    BUILTINS.iter().find(|c| c.internal == name)
}

/// The Java name used in messages and stack traces: `java.lang.String`, `[I`.
pub fn java_name(internal: &str) -> String {
    internal.replace('/', ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_supers_come_first() {
        for (i, c) in BUILTINS.iter().enumerate() {
            assert_eq!(c.id as usize, i);
            if let Some(s) = c.super_id {
                assert!(s < c.id, "{} extends a later class", c.internal);
            }
        }
        assert_eq!(BUILTINS.len() as u32, FIRST_FREE_ID);
    }
}
