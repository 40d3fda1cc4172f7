//! Native methods: library methods implemented in Rust by the VM.
//!
//! The compiler resolves a call such as `Math.max(a, b)` against this table
//! (class, name, and overloads by JVM descriptor) and emits `CallNative` with the
//! [`Native`] id; the VM dispatches on that id.
//!
//! Calling convention (the same as for bytecode methods): primitive arguments go
//! in consecutive primitive registers, reference arguments (the receiver first,
//! for instance natives) in consecutive reference registers; the result lands in
//! the first primitive or reference argument register.
//!
//! [`NativeKind::Intrinsic`] entries exist only so that overload resolution sees
//! them: the compiler lowers them to bytecode itself (they need a virtual
//! `toString()` call), and the VM never runs them.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NativeKind {
    Static,
    /// An instance method; the receiver is the first reference argument.
    Instance,
    /// Lowered by the compiler; never dispatched by the VM.
    Intrinsic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NativeDesc {
    /// Internal class name, `java/lang/Math`.
    pub class: &'static str,
    pub name: &'static str,
    /// JVM method descriptor, `(II)I`.
    pub desc: &'static str,
    pub kind: NativeKind,
}

macro_rules! natives {
    ($($id:ident = $class:literal $name:literal $desc:literal $kind:ident;)*) => {
        /// A native method's id: its index in [`NATIVES`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum Native { $($id,)* }

        /// Every native, indexed by `Native as usize`.
        pub static NATIVES: &[NativeDesc] = &[
            $(NativeDesc { class: $class, name: $name, desc: $desc, kind: NativeKind::$kind },)*
        ];

        impl Native {
            /// All ids, in table order.
            pub const ALL: &'static [Native] = &[$(Native::$id,)*];
        }
    };
}

impl Native {
    pub fn desc(self) -> &'static NativeDesc {
        &NATIVES[self as usize]
    }
    pub fn from_index(i: u16) -> Option<Native> {
        Native::ALL.get(i as usize).copied()
    }
}

/// Natives of `class` named `name`, with their ids: the candidates for overload resolution.
pub fn lookup<'a>(
    class: &'a str,
    name: &'a str,
) -> impl Iterator<Item = (Native, &'static NativeDesc)> + 'a {
    Native::ALL
        .iter()
        .map(|n| (*n, n.desc()))
        .filter(move |(_, d)| d.class == class && d.name == name)
}

natives! {
    // java.lang.System
    SystemOut = "java/lang/System" "out" "()Ljava/io/PrintStream;" Static;
    SystemErr = "java/lang/System" "err" "()Ljava/io/PrintStream;" Static;
    SystemCurrentTimeMillis = "java/lang/System" "currentTimeMillis" "()J" Static;
    SystemNanoTime = "java/lang/System" "nanoTime" "()J" Static;
    SystemExit = "java/lang/System" "exit" "(I)V" Static;
    SystemGc = "java/lang/System" "gc" "()V" Static;
    SystemArraycopy = "java/lang/System" "arraycopy" "(Ljava/lang/Object;ILjava/lang/Object;II)V" Static;

    // java.io.PrintStream
    PrintlnVoid = "java/io/PrintStream" "println" "()V" Instance;
    PrintlnZ = "java/io/PrintStream" "println" "(Z)V" Instance;
    PrintlnC = "java/io/PrintStream" "println" "(C)V" Instance;
    PrintlnI = "java/io/PrintStream" "println" "(I)V" Instance;
    PrintlnJ = "java/io/PrintStream" "println" "(J)V" Instance;
    PrintlnF = "java/io/PrintStream" "println" "(F)V" Instance;
    PrintlnD = "java/io/PrintStream" "println" "(D)V" Instance;
    PrintlnChars = "java/io/PrintStream" "println" "([C)V" Instance;
    PrintlnStr = "java/io/PrintStream" "println" "(Ljava/lang/String;)V" Instance;
    PrintlnObj = "java/io/PrintStream" "println" "(Ljava/lang/Object;)V" Intrinsic;
    PrintZ = "java/io/PrintStream" "print" "(Z)V" Instance;
    PrintC = "java/io/PrintStream" "print" "(C)V" Instance;
    PrintI = "java/io/PrintStream" "print" "(I)V" Instance;
    PrintJ = "java/io/PrintStream" "print" "(J)V" Instance;
    PrintF = "java/io/PrintStream" "print" "(F)V" Instance;
    PrintD = "java/io/PrintStream" "print" "(D)V" Instance;
    PrintChars = "java/io/PrintStream" "print" "([C)V" Instance;
    PrintStr = "java/io/PrintStream" "print" "(Ljava/lang/String;)V" Instance;
    PrintObj = "java/io/PrintStream" "print" "(Ljava/lang/Object;)V" Intrinsic;
    PrintStreamFlush = "java/io/PrintStream" "flush" "()V" Instance;

    // java.lang.Math
    MathAbsI = "java/lang/Math" "abs" "(I)I" Static;
    MathAbsJ = "java/lang/Math" "abs" "(J)J" Static;
    MathAbsF = "java/lang/Math" "abs" "(F)F" Static;
    MathAbsD = "java/lang/Math" "abs" "(D)D" Static;
    MathMaxI = "java/lang/Math" "max" "(II)I" Static;
    MathMaxJ = "java/lang/Math" "max" "(JJ)J" Static;
    MathMaxF = "java/lang/Math" "max" "(FF)F" Static;
    MathMaxD = "java/lang/Math" "max" "(DD)D" Static;
    MathMinI = "java/lang/Math" "min" "(II)I" Static;
    MathMinJ = "java/lang/Math" "min" "(JJ)J" Static;
    MathMinF = "java/lang/Math" "min" "(FF)F" Static;
    MathMinD = "java/lang/Math" "min" "(DD)D" Static;
    MathSqrt = "java/lang/Math" "sqrt" "(D)D" Static;
    MathCbrt = "java/lang/Math" "cbrt" "(D)D" Static;
    MathPow = "java/lang/Math" "pow" "(DD)D" Static;
    MathFloor = "java/lang/Math" "floor" "(D)D" Static;
    MathCeil = "java/lang/Math" "ceil" "(D)D" Static;
    MathRint = "java/lang/Math" "rint" "(D)D" Static;
    MathRoundD = "java/lang/Math" "round" "(D)J" Static;
    MathRoundF = "java/lang/Math" "round" "(F)I" Static;
    MathSin = "java/lang/Math" "sin" "(D)D" Static;
    MathCos = "java/lang/Math" "cos" "(D)D" Static;
    MathTan = "java/lang/Math" "tan" "(D)D" Static;
    MathAsin = "java/lang/Math" "asin" "(D)D" Static;
    MathAcos = "java/lang/Math" "acos" "(D)D" Static;
    MathAtan = "java/lang/Math" "atan" "(D)D" Static;
    MathAtan2 = "java/lang/Math" "atan2" "(DD)D" Static;
    MathSinh = "java/lang/Math" "sinh" "(D)D" Static;
    MathCosh = "java/lang/Math" "cosh" "(D)D" Static;
    MathTanh = "java/lang/Math" "tanh" "(D)D" Static;
    MathExp = "java/lang/Math" "exp" "(D)D" Static;
    MathExpm1 = "java/lang/Math" "expm1" "(D)D" Static;
    MathLog = "java/lang/Math" "log" "(D)D" Static;
    MathLog10 = "java/lang/Math" "log10" "(D)D" Static;
    MathLog1p = "java/lang/Math" "log1p" "(D)D" Static;
    MathHypot = "java/lang/Math" "hypot" "(DD)D" Static;
    MathSignumD = "java/lang/Math" "signum" "(D)D" Static;
    MathSignumF = "java/lang/Math" "signum" "(F)F" Static;
    MathToRadians = "java/lang/Math" "toRadians" "(D)D" Static;
    MathToDegrees = "java/lang/Math" "toDegrees" "(D)D" Static;
    MathFloorDivI = "java/lang/Math" "floorDiv" "(II)I" Static;
    MathFloorDivJ = "java/lang/Math" "floorDiv" "(JJ)J" Static;
    MathFloorModI = "java/lang/Math" "floorMod" "(II)I" Static;
    MathFloorModJ = "java/lang/Math" "floorMod" "(JJ)J" Static;
    MathRandom = "java/lang/Math" "random" "()D" Static;

    // java.lang.String (instance)
    StrLength = "java/lang/String" "length" "()I" Instance;
    StrCharAt = "java/lang/String" "charAt" "(I)C" Instance;
    StrIsEmpty = "java/lang/String" "isEmpty" "()Z" Instance;
    StrIsBlank = "java/lang/String" "isBlank" "()Z" Instance;
    StrSubstring1 = "java/lang/String" "substring" "(I)Ljava/lang/String;" Instance;
    StrSubstring2 = "java/lang/String" "substring" "(II)Ljava/lang/String;" Instance;
    StrIndexOfC = "java/lang/String" "indexOf" "(I)I" Instance;
    StrIndexOfCFrom = "java/lang/String" "indexOf" "(II)I" Instance;
    StrIndexOfS = "java/lang/String" "indexOf" "(Ljava/lang/String;)I" Instance;
    StrIndexOfSFrom = "java/lang/String" "indexOf" "(Ljava/lang/String;I)I" Instance;
    StrLastIndexOfC = "java/lang/String" "lastIndexOf" "(I)I" Instance;
    StrLastIndexOfCFrom = "java/lang/String" "lastIndexOf" "(II)I" Instance;
    StrLastIndexOfS = "java/lang/String" "lastIndexOf" "(Ljava/lang/String;)I" Instance;
    StrLastIndexOfSFrom = "java/lang/String" "lastIndexOf" "(Ljava/lang/String;I)I" Instance;
    StrEquals = "java/lang/String" "equals" "(Ljava/lang/Object;)Z" Instance;
    StrEqualsIgnoreCase = "java/lang/String" "equalsIgnoreCase" "(Ljava/lang/String;)Z" Instance;
    StrCompareTo = "java/lang/String" "compareTo" "(Ljava/lang/String;)I" Instance;
    StrCompareToIgnoreCase = "java/lang/String" "compareToIgnoreCase" "(Ljava/lang/String;)I" Instance;
    StrHashCode = "java/lang/String" "hashCode" "()I" Instance;
    StrStartsWith = "java/lang/String" "startsWith" "(Ljava/lang/String;)Z" Instance;
    StrStartsWithFrom = "java/lang/String" "startsWith" "(Ljava/lang/String;I)Z" Instance;
    StrEndsWith = "java/lang/String" "endsWith" "(Ljava/lang/String;)Z" Instance;
    StrContains = "java/lang/String" "contains" "(Ljava/lang/String;)Z" Instance;
    StrTrim = "java/lang/String" "trim" "()Ljava/lang/String;" Instance;
    StrStrip = "java/lang/String" "strip" "()Ljava/lang/String;" Instance;
    StrToUpperCase = "java/lang/String" "toUpperCase" "()Ljava/lang/String;" Instance;
    StrToLowerCase = "java/lang/String" "toLowerCase" "()Ljava/lang/String;" Instance;
    StrSplit = "java/lang/String" "split" "(Ljava/lang/String;)[Ljava/lang/String;" Instance;
    StrSplitLimit = "java/lang/String" "split" "(Ljava/lang/String;I)[Ljava/lang/String;" Instance;
    StrToCharArray = "java/lang/String" "toCharArray" "()[C" Instance;
    StrConcat = "java/lang/String" "concat" "(Ljava/lang/String;)Ljava/lang/String;" Instance;
    StrReplaceC = "java/lang/String" "replace" "(CC)Ljava/lang/String;" Instance;
    StrReplaceS = "java/lang/String" "replace" "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;" Instance;
    StrRepeat = "java/lang/String" "repeat" "(I)Ljava/lang/String;" Instance;
    StrToString = "java/lang/String" "toString" "()Ljava/lang/String;" Instance;
    StrIntern = "java/lang/String" "intern" "()Ljava/lang/String;" Instance;
    // java.lang.String (static)
    StrValueOfZ = "java/lang/String" "valueOf" "(Z)Ljava/lang/String;" Static;
    StrValueOfC = "java/lang/String" "valueOf" "(C)Ljava/lang/String;" Static;
    StrValueOfI = "java/lang/String" "valueOf" "(I)Ljava/lang/String;" Static;
    StrValueOfJ = "java/lang/String" "valueOf" "(J)Ljava/lang/String;" Static;
    StrValueOfF = "java/lang/String" "valueOf" "(F)Ljava/lang/String;" Static;
    StrValueOfD = "java/lang/String" "valueOf" "(D)Ljava/lang/String;" Static;
    StrValueOfChars = "java/lang/String" "valueOf" "([C)Ljava/lang/String;" Static;
    StrValueOfCharsRange = "java/lang/String" "valueOf" "([CII)Ljava/lang/String;" Static;
    StrValueOfObj = "java/lang/String" "valueOf" "(Ljava/lang/Object;)Ljava/lang/String;" Intrinsic;
    // `new String()`, `new String(char[])`, `new String(char[], int, int)`, `new String(String)`.
    StrNewEmpty = "java/lang/String" "<new>" "()Ljava/lang/String;" Static;
    StrNewChars = "java/lang/String" "<new>" "([C)Ljava/lang/String;" Static;
    StrNewCharsRange = "java/lang/String" "<new>" "([CII)Ljava/lang/String;" Static;
    StrNewCopy = "java/lang/String" "<new>" "(Ljava/lang/String;)Ljava/lang/String;" Static;
    // String concatenation `a + b` after both sides are strings; a null side prints as "null".
    StrCat = "semeru/Internal" "concat" "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;" Static;

    // java.lang.Object (instance; also the vtable entries of classes that do not override)
    ObjHashCode = "java/lang/Object" "hashCode" "()I" Instance;
    ObjEquals = "java/lang/Object" "equals" "(Ljava/lang/Object;)Z" Instance;
    ObjToString = "java/lang/Object" "toString" "()Ljava/lang/String;" Instance;

    // java.lang.Integer
    IntParse = "java/lang/Integer" "parseInt" "(Ljava/lang/String;)I" Static;
    IntParseRadix = "java/lang/Integer" "parseInt" "(Ljava/lang/String;I)I" Static;
    IntToString = "java/lang/Integer" "toString" "(I)Ljava/lang/String;" Static;
    IntToStringRadix = "java/lang/Integer" "toString" "(II)Ljava/lang/String;" Static;
    IntToBinaryString = "java/lang/Integer" "toBinaryString" "(I)Ljava/lang/String;" Static;
    IntToHexString = "java/lang/Integer" "toHexString" "(I)Ljava/lang/String;" Static;
    IntToOctalString = "java/lang/Integer" "toOctalString" "(I)Ljava/lang/String;" Static;
    IntCompare = "java/lang/Integer" "compare" "(II)I" Static;
    IntSignum = "java/lang/Integer" "signum" "(I)I" Static;
    IntBitCount = "java/lang/Integer" "bitCount" "(I)I" Static;
    IntReverse = "java/lang/Integer" "reverse" "(I)I" Static;
    IntReverseBytes = "java/lang/Integer" "reverseBytes" "(I)I" Static;
    IntHighestOneBit = "java/lang/Integer" "highestOneBit" "(I)I" Static;
    IntLowestOneBit = "java/lang/Integer" "lowestOneBit" "(I)I" Static;
    IntNumberOfLeadingZeros = "java/lang/Integer" "numberOfLeadingZeros" "(I)I" Static;
    IntNumberOfTrailingZeros = "java/lang/Integer" "numberOfTrailingZeros" "(I)I" Static;
    IntRotateLeft = "java/lang/Integer" "rotateLeft" "(II)I" Static;
    IntRotateRight = "java/lang/Integer" "rotateRight" "(II)I" Static;
    IntMax = "java/lang/Integer" "max" "(II)I" Static;
    IntMin = "java/lang/Integer" "min" "(II)I" Static;
    IntSum = "java/lang/Integer" "sum" "(II)I" Static;
    IntHashCode = "java/lang/Integer" "hashCode" "(I)I" Static;

    // java.lang.Long
    LongParse = "java/lang/Long" "parseLong" "(Ljava/lang/String;)J" Static;
    LongParseRadix = "java/lang/Long" "parseLong" "(Ljava/lang/String;I)J" Static;
    LongToString = "java/lang/Long" "toString" "(J)Ljava/lang/String;" Static;
    LongToStringRadix = "java/lang/Long" "toString" "(JI)Ljava/lang/String;" Static;
    LongToBinaryString = "java/lang/Long" "toBinaryString" "(J)Ljava/lang/String;" Static;
    LongToHexString = "java/lang/Long" "toHexString" "(J)Ljava/lang/String;" Static;
    LongToOctalString = "java/lang/Long" "toOctalString" "(J)Ljava/lang/String;" Static;
    LongCompare = "java/lang/Long" "compare" "(JJ)I" Static;
    LongSignum = "java/lang/Long" "signum" "(J)I" Static;
    LongBitCount = "java/lang/Long" "bitCount" "(J)I" Static;
    LongNumberOfLeadingZeros = "java/lang/Long" "numberOfLeadingZeros" "(J)I" Static;
    LongNumberOfTrailingZeros = "java/lang/Long" "numberOfTrailingZeros" "(J)I" Static;
    LongMax = "java/lang/Long" "max" "(JJ)J" Static;
    LongMin = "java/lang/Long" "min" "(JJ)J" Static;
    LongSum = "java/lang/Long" "sum" "(JJ)J" Static;
    LongHashCode = "java/lang/Long" "hashCode" "(J)I" Static;

    // java.lang.Double / Float
    DoubleParse = "java/lang/Double" "parseDouble" "(Ljava/lang/String;)D" Static;
    DoubleToString = "java/lang/Double" "toString" "(D)Ljava/lang/String;" Static;
    DoubleCompare = "java/lang/Double" "compare" "(DD)I" Static;
    DoubleIsNaN = "java/lang/Double" "isNaN" "(D)Z" Static;
    DoubleIsInfinite = "java/lang/Double" "isInfinite" "(D)Z" Static;
    DoubleIsFinite = "java/lang/Double" "isFinite" "(D)Z" Static;
    DoubleToLongBits = "java/lang/Double" "doubleToLongBits" "(D)J" Static;
    DoubleToRawLongBits = "java/lang/Double" "doubleToRawLongBits" "(D)J" Static;
    DoubleLongBitsToDouble = "java/lang/Double" "longBitsToDouble" "(J)D" Static;
    DoubleHashCode = "java/lang/Double" "hashCode" "(D)I" Static;
    DoubleMax = "java/lang/Double" "max" "(DD)D" Static;
    DoubleMin = "java/lang/Double" "min" "(DD)D" Static;
    DoubleSum = "java/lang/Double" "sum" "(DD)D" Static;
    FloatParse = "java/lang/Float" "parseFloat" "(Ljava/lang/String;)F" Static;
    FloatToString = "java/lang/Float" "toString" "(F)Ljava/lang/String;" Static;
    FloatCompare = "java/lang/Float" "compare" "(FF)I" Static;
    FloatIsNaN = "java/lang/Float" "isNaN" "(F)Z" Static;
    FloatIsInfinite = "java/lang/Float" "isInfinite" "(F)Z" Static;
    FloatToIntBits = "java/lang/Float" "floatToIntBits" "(F)I" Static;
    FloatToRawIntBits = "java/lang/Float" "floatToRawIntBits" "(F)I" Static;
    FloatIntBitsToFloat = "java/lang/Float" "intBitsToFloat" "(I)F" Static;

    // java.lang.Character / Boolean / Short / Byte
    CharIsDigit = "java/lang/Character" "isDigit" "(C)Z" Static;
    CharIsLetter = "java/lang/Character" "isLetter" "(C)Z" Static;
    CharIsLetterOrDigit = "java/lang/Character" "isLetterOrDigit" "(C)Z" Static;
    CharIsAlphabetic = "java/lang/Character" "isAlphabetic" "(I)Z" Static;
    CharIsUpperCase = "java/lang/Character" "isUpperCase" "(C)Z" Static;
    CharIsLowerCase = "java/lang/Character" "isLowerCase" "(C)Z" Static;
    CharIsWhitespace = "java/lang/Character" "isWhitespace" "(C)Z" Static;
    CharIsSpaceChar = "java/lang/Character" "isSpaceChar" "(C)Z" Static;
    CharToUpperCase = "java/lang/Character" "toUpperCase" "(C)C" Static;
    CharToLowerCase = "java/lang/Character" "toLowerCase" "(C)C" Static;
    CharGetNumericValue = "java/lang/Character" "getNumericValue" "(C)I" Static;
    CharDigit = "java/lang/Character" "digit" "(CI)I" Static;
    CharForDigit = "java/lang/Character" "forDigit" "(II)C" Static;
    CharToString = "java/lang/Character" "toString" "(C)Ljava/lang/String;" Static;
    CharCompare = "java/lang/Character" "compare" "(CC)I" Static;
    CharHashCode = "java/lang/Character" "hashCode" "(C)I" Static;
    BoolParse = "java/lang/Boolean" "parseBoolean" "(Ljava/lang/String;)Z" Static;
    BoolToString = "java/lang/Boolean" "toString" "(Z)Ljava/lang/String;" Static;
    BoolCompare = "java/lang/Boolean" "compare" "(ZZ)I" Static;
    BoolHashCode = "java/lang/Boolean" "hashCode" "(Z)I" Static;
    ShortParse = "java/lang/Short" "parseShort" "(Ljava/lang/String;)S" Static;
    ShortToString = "java/lang/Short" "toString" "(S)Ljava/lang/String;" Static;
    ByteParse = "java/lang/Byte" "parseByte" "(Ljava/lang/String;)B" Static;
    ByteToString = "java/lang/Byte" "toString" "(B)Ljava/lang/String;" Static;
    // ---- types ---- (append this branch's natives here)
    // ---- boxexc ---- (append this branch's natives here)
    ThrowableFillInStackTrace = "java/lang/Throwable" "fillInStackTrace" "()Ljava/lang/Throwable;" Instance;
    ThrowablePrintStackTrace = "java/lang/Throwable" "printStackTrace" "()V" Instance;
    ThrowablePrintStackTraceTo = "java/lang/Throwable" "printStackTrace" "(Ljava/io/PrintStream;)V" Instance;
    // The runtime class's Java name (`java.lang.RuntimeException`, `Main$MyEx`).
    ThrowableClassName = "java/lang/Throwable" "$className" "()Ljava/lang/String;" Instance;
    // `x.getClass().getName()`, `.getSimpleName()`, and the class identity for
    // `a.getClass() == b.getClass()` (lowered by the compiler to these).
    ObjClassName = "java/lang/Object" "$className" "()Ljava/lang/String;" Instance;
    ObjSimpleName = "java/lang/Object" "$simpleName" "()Ljava/lang/String;" Instance;
    ObjClassId = "java/lang/Object" "$classId" "()I" Instance;
    // ---- coll1 ---- (append this branch's natives here)
    // A new array of the same runtime class as the argument, all null (`Arrays.copyOf`, `toArray(T[])`).
    ArraysNewArrayLike = "jdk/internal/util/ArraysSupport" "newArrayLike" "([Ljava/lang/Object;I)[Ljava/lang/Object;" Static;
    // ---- coll2 ---- (append this branch's natives here)
    // ---- misc ---- (append this branch's natives here)
    // java.lang.StrictMath (fdlibm, as java.util.Random.nextGaussian needs)
    StrictMathLog = "java/lang/StrictMath" "log" "(D)D" Static;
    StrictMathSqrt = "java/lang/StrictMath" "sqrt" "(D)D" Static;
    // java.util.Formatter: FloatingDecimal digits of a finite double into a char[32],
    // returns (decExponent << 8) | nDigits.
    FormatterFdDigits = "java/util/Formatter" "fdDigits" "(D[C)I" Static;
    // java.io: OS access. Handle 0 is stdin; open0(path, allowDir) returns a handle or
    // a negative error (text via errorText); read0 returns -1 at end, -2 on error.
    IoOpen = "java/io/FileInputStream" "open0" "(Ljava/lang/String;Z)I" Static;
    IoRead = "java/io/FileInputStream" "read0" "(I[BII)I" Static;
    IoAvailable = "java/io/FileInputStream" "available0" "(I)I" Static;
    IoClose = "java/io/FileInputStream" "close0" "(I)V" Static;
    IoErrorText = "java/io/FileInputStream" "errorText" "(I)Ljava/lang/String;" Static;
    // UTF-8 bytes src[off, off+len) into dst[doff, doff+dlen); returns (consumed << 32) | produced.
    // An incomplete sequence at the end is left unconsumed unless `eof`.
    IoDecodeUtf8 = "java/io/InputStreamReader" "decode0" "([BII[CIIZ)J" Static;
    // First index of '\n' or '\r' in cb[from, to), or `to`.
    IoFindEol = "java/io/BufferedReader" "findEol" "([CII)I" Static;
    // String.getChars(srcBegin, srcEnd, dst, dstBegin), as Java (StringBuilder appends with it).
    StrGetChars = "java/lang/String" "getChars" "(II[CI)V" Instance;
    // java.io output and file-system access (vm/src/natives/fs.rs). Handles share the
    // table of FileInputStream's; a failure's text is FileInputStream.errorText's.
    // open0 flags: 1 append, 2 create, 4 truncate, 8 create new (fails if it exists);
    // returns a handle or -1. write0 returns 0, or -2 on error.
    IoOpenWrite = "java/io/FileOutputStream" "open0" "(Ljava/lang/String;I)I" Static;
    IoWrite = "java/io/FileOutputStream" "write0" "(I[BII)I" Static;
    // UTF-8 of chars src[off, off+len) into dst[doff, doff+dlen) as Java's encoder with
    // REPLACE ('?' for a lone surrogate); a high surrogate ending src is left unconsumed
    // unless `eof`. Returns (consumed << 32) | produced.
    IoEncodeUtf8 = "java/io/OutputStreamWriter" "encode0" "([CII[BIIZ)J" Static;
    // String.getBytes() in UTF-8 (the default charset).
    StrGetBytes = "java/lang/String" "getBytes" "()[B" Instance;
    // What is at a path (following links): 0 nothing, 1 regular file, 2 directory, 3 other.
    FsKind = "java/io/File" "kind0" "(Ljava/lang/String;)I" Static;
    // Size in bytes, or -1 with the error recorded.
    FsSize = "java/io/File" "size0" "(Ljava/lang/String;)J" Static;
    // Removes a file or an empty directory: 0, or -1 with the error recorded.
    FsDelete = "java/io/File" "delete0" "(Ljava/lang/String;)I" Static;
    // Creates one directory: 0, or -1 with the error recorded.
    FsMkdir = "java/io/File" "mkdir0" "(Ljava/lang/String;)I" Static;
    // Creates a new file (or directory) named dir/prefix<random>suffix, readable only by
    // its owner; returns its path, or null with the error recorded.
    FsCreateTemp = "java/nio/file/Files" "createTemp0" "(Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Z)Ljava/lang/String;" Static;
    // PrintStream.write(byte[], int, int) on System.out / System.err: the raw bytes.
    PrintStreamWriteRaw = "java/io/PrintStream" "writeRaw" "([BII)V" Instance;
    // ---- repl ---- (append this branch's natives here)
    // ---- lead ---- (append this branch's natives here)
    // `array.clone()`: a shallow copy of any array (the compiler types it as the array).
    ArrayClone = "java/lang/Object" "clone" "()Ljava/lang/Object;" Instance;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_order_matches_ids() {
        for (i, n) in Native::ALL.iter().enumerate() {
            assert_eq!(*n as usize, i);
            assert_eq!(Native::from_index(i as u16), Some(*n));
        }
    }

    #[test]
    fn no_duplicate_signatures() {
        let mut seen = std::collections::HashSet::new();
        for d in NATIVES {
            assert!(seen.insert((d.class, d.name, d.desc)), "{d:?} twice");
        }
    }

    #[test]
    fn lookup_finds_overloads() {
        assert_eq!(lookup("java/lang/Math", "max").count(), 4);
    }
}
