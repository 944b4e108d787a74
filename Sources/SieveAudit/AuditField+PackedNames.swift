/// The parsers' field-name tables as switches over the first eight bytes of a name (read as a
/// little-endian word), then a check of the rest and of the length: a name is recognised with a
/// few integer comparisons, no bytes compared and nothing copied or retained. The constants are
/// the names' bytes; `FieldNameLookupTests` checks that every field's name, and only it, is
/// recognised (regenerate them with the key and `xmlName` when a field is added).
extension AuditField {
    static func perconaField(jsonKey name: PackedFieldName) -> AuditField? {
        switch name.words.0 {
        case 0x0000000000006264:  // db
            return name.words.1 == 0x0 && name.count == 2 ? .db : nil
        case 0x0000000000007069:  // ip
            return name.words.1 == 0x0 && name.count == 2 ? .ip : nil
        case 0x00000000656d616e:  // name
            return name.words.1 == 0x0 && name.count == 4 ? .name : nil
        case 0x0000000072657375:  // user
            return name.words.1 == 0x0 && name.count == 4 ? .user : nil
        case 0x0000000074736f68:  // host
            return name.words.1 == 0x0 && name.count == 4 ? .host : nil
        case 0x000064726f636572:  // record
            return name.words.1 == 0x0 && name.count == 6 ? .record : nil
        case 0x0000737574617473:  // status
            return name.words.1 == 0x0 && name.count == 6 ? .status : nil
        case 0x00726573755f736f:  // os_user
            return name.words.1 == 0x0 && name.count == 7 ? .osUser : nil
        case 0x00747865746c7173:  // sqltext
            return name.words.1 == 0x0 && name.count == 7 ? .sqltext : nil
        case 0x5f646e616d6d6f63:  // command_class
            return name.words.1 == 0x7373616c63 && name.count == 13 ? .commandClass : nil
        case 0x5f70757472617473:  // startup_options / startup_optionsi
            if name.words.1 == 0x736e6f6974706f && name.count == 15 { return .startupOptions }
            if name.words.1 == 0x69736e6f6974706f && name.count == 16 { return .startupOptions }
            return nil
        case 0x6573755f76697270:  // priv_user
            return name.words.1 == 0x72 && name.count == 9 ? .privUser : nil
        case 0x65765f6c7173796d:  // mysql_version
            return name.words.1 == 0x6e6f697372 && name.count == 13 ? .mysqlVersion : nil
        case 0x69737265765f736f:  // os_version
            return name.words.1 == 0x6e6f && name.count == 10 ? .osVersion : nil
        case 0x697463656e6e6f63:  // connection_id
            return name.words.1 == 0x64695f6e6f && name.count == 13 ? .connectionID : nil
        case 0x6d617473656d6974:  // timestamp
            return name.words.1 == 0x70 && name.count == 9 ? .timestamp : nil
        case 0x6e69676f6c5f736f:  // os_login
            return name.words.1 == 0x0 && name.count == 8 ? .osLogin : nil
        case 0x73755f79786f7270:  // proxy_user
            return name.words.1 == 0x7265 && name.count == 10 ? .proxyUser : nil
        default:
            return nil
        }
    }

    static func perconaField(xmlName name: PackedFieldName) -> AuditField? {
        switch name.words.0 {
        case 0x0000000000004244:  // DB
            return name.words.1 == 0x0 && name.count == 2 ? .db : nil
        case 0x0000000000005049:  // IP
            return name.words.1 == 0x0 && name.count == 2 ? .ip : nil
        case 0x00000000454d414e:  // NAME
            return name.words.1 == 0x0 && name.count == 4 ? .name : nil
        case 0x0000000052455355:  // USER
            return name.words.1 == 0x0 && name.count == 4 ? .user : nil
        case 0x0000000054534f48:  // HOST
            return name.words.1 == 0x0 && name.count == 4 ? .host : nil
        case 0x000044524f434552:  // RECORD
            return name.words.1 == 0x0 && name.count == 6 ? .record : nil
        case 0x0000535554415453:  // STATUS
            return name.words.1 == 0x0 && name.count == 6 ? .status : nil
        case 0x00524553555f534f:  // OS_USER
            return name.words.1 == 0x0 && name.count == 7 ? .osUser : nil
        case 0x00545845544c5153:  // SQLTEXT
            return name.words.1 == 0x0 && name.count == 7 ? .sqltext : nil
        case 0x4553555f56495250:  // PRIV_USER
            return name.words.1 == 0x52 && name.count == 9 ? .privUser : nil
        case 0x45565f4c5153594d:  // MYSQL_VERSION
            return name.words.1 == 0x4e4f495352 && name.count == 13 ? .mysqlVersion : nil
        case 0x49535245565f534f:  // OS_VERSION
            return name.words.1 == 0x4e4f && name.count == 10 ? .osVersion : nil
        case 0x495443454e4e4f43:  // CONNECTION_ID
            return name.words.1 == 0x44495f4e4f && name.count == 13 ? .connectionID : nil
        case 0x4d415453454d4954:  // TIMESTAMP
            return name.words.1 == 0x50 && name.count == 9 ? .timestamp : nil
        case 0x4e49474f4c5f534f:  // OS_LOGIN
            return name.words.1 == 0x0 && name.count == 8 ? .osLogin : nil
        case 0x53555f59584f5250:  // PROXY_USER
            return name.words.1 == 0x5245 && name.count == 10 ? .proxyUser : nil
        case 0x5f444e414d4d4f43:  // COMMAND_CLASS
            return name.words.1 == 0x5353414c43 && name.count == 13 ? .commandClass : nil
        case 0x5f50555452415453:  // STARTUP_OPTIONS
            return name.words.1 == 0x534e4f4954504f && name.count == 15 ? .startupOptions : nil
        default:
            return nil
        }
    }
}
