import Graph

/// Puppet 7's built-in resource types: their namevar and attributes (read from the type
/// definitions of Debian's puppet 7.23 with `Puppet::Type.eachtype`), so that the catalog
/// compiler rejects unknown attributes as Puppet does and fills in the namevar from the title.
public enum ResourceTypes {
    /// (A class: every declaration reads its type's, which a struct of tables would copy.)
    public final class Info {
        public let namevar: String
        public let attributes: Set<String>
        /// The name as catalogs spell it (`File`), set when the table is made.
        var typeName: String?
        /// Attributes and metaparameters: what a resource of the type accepts (one lookup).
        let accepted: ByteKeyedTable<Bool>
        init(namevar: String, attributes: Set<String>) {
            self.namevar = namevar
            self.attributes = attributes
            accepted = ByteKeyedTable(attributes.union(ResourceTypes.metaparameters), true)
        }
    }

    public static let metaparameters: Set<String> = [
        "alias", "audit", "before", "loglevel", "noop", "notify", "require", "schedule", "stage", "subscribe", "tag",
    ]

    public static let relationshipParameters: Set<String> = ["before", "notify", "require", "subscribe"]

    /// `metaparameters.contains(name)` without hashing (it runs for every parameter of every
    /// resource): the length and first byte rule out almost every other name before one
    /// string comparison.
    @inline(__always) public static func isMetaparameter(_ name: String) -> Bool {
        let u = name.utf8
        guard u.count >= 3, u.count <= 9, let first = u.first else { return false }
        switch first {
        case UInt8(ascii: "a"): return name == "alias" || name == "audit"
        case UInt8(ascii: "b"): return name == "before"
        case UInt8(ascii: "l"): return name == "loglevel"
        case UInt8(ascii: "n"): return name == "noop" || name == "notify"
        case UInt8(ascii: "r"): return name == "require"
        case UInt8(ascii: "s"): return name == "schedule" || name == "stage" || name == "subscribe"
        case UInt8(ascii: "t"): return name == "tag"
        default: return false
        }
    }

    /// `relationshipParameters.contains(name)`, likewise.
    @inline(__always) public static func isRelationshipParameter(_ name: String) -> Bool {
        let u = name.utf8
        guard u.count >= 6, u.count <= 9, let first = u.first else { return false }
        switch first {
        case UInt8(ascii: "b"): return name == "before"
        case UInt8(ascii: "n"): return name == "notify"
        case UInt8(ascii: "r"): return name == "require"
        case UInt8(ascii: "s"): return name == "subscribe"
        default: return false
        }
    }

    static func info(_ namevar: String, _ attrs: String) -> Info {
        Info(namevar: namevar, attributes: Set(attrs.split(separator: ",").map(String.init)))
    }

    /// By lowercase type name.
    public static let builtin: [String: Info] = {
        var table = builtinByName
        for (name, _) in table { table[name]!.typeName = Naming.typeName(name) }
        return table
    }()

    /// `builtin[name]`, as every resource declaration asks it.
    static func builtinInfo(_ name: String) -> Info? { builtinTable[name] }
    private static let builtinTable: ByteKeyedTable<Info> = {
        var t = ByteKeyedTable<Info>()
        for (name, info) in builtin { t[name] = info }
        return t
    }()

    private static let builtinByName: [String: Info] = [
        // stdlib's anchor: does nothing, takes part in ordering (older modules contain with it).
        "anchor": info("name", "name"),
        "exec": info("command", "command,creates,cwd,environment,group,logoutput,onlyif,path,provider,refresh,refreshonly,returns,timeout,tries,try_sleep,umask,unless,user"),
        "file": info("path", "backup,checksum,checksum_value,content,ctime,ensure,force,group,ignore,links,max_files,mode,mtime,owner,path,provider,purge,recurse,recurselimit,replace,selinux_ignore_defaults,selrange,selrole,seltype,seluser,show_diff,source,source_permissions,sourceselect,staging_location,target,type,validate_cmd,validate_replacement"),
        "filebucket": info("name", "name,path,port,server"),
        "group": info("name", "allowdupe,attribute_membership,attributes,auth_membership,ensure,forcelocal,gid,ia_load_module,members,name,provider,system"),
        "notify": info("name", "message,name,withpath"),
        "package": info("name", "adminfile,allow_virtual,allowcdrom,category,command,configfiles,description,enable_only,ensure,flavor,install_only,install_options,instance,mark,name,package_settings,platform,provider,reinstall_on_refresh,responsefile,root,source,status,uninstall_options,vendor"),
        "resources": info("name", "name,purge,unless_system_user,unless_uid"),
        "schedule": info("name", "name,period,periodmatch,range,repeat,weekday"),
        "service": info("name", "binary,control,enable,ensure,flags,hasrestart,hasstatus,logonaccount,logonpassword,manifest,name,path,pattern,provider,restart,start,status,stop,timeout"),
        "stage": info("name", "name"),
        "tidy": info("path", "age,backup,matches,max_files,path,recurse,rmdirs,size,type"),
        "user": info("name", "allowdupe,attribute_membership,attributes,auth_membership,auths,comment,ensure,expiry,forcelocal,gid,groups,home,ia_load_module,iterations,key_membership,keys,loginclass,managehome,membership,name,password,password_max_age,password_min_age,password_warn_days,profile_membership,profiles,project,provider,purge_ssh_keys,role_membership,roles,salt,shell,system,uid"),
        "whit": info("name", "name"),
    ]

    /// The value of the namevar derived from a title (`file` drops trailing slashes).
    static func namevarValue(type: String, title: String) -> String {
        type == "file" || type == "tidy" ? trimmingTrailingSlashes(title) : title
    }
}
