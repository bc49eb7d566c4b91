namespace Coordinator.Core.ZooKeeper;

/// <summary>
/// Decodes the frames a ZooKeeper client sends (the 4-byte length already taken off). A frame that does not decode,
/// names an op code ZooKeeper does not define, or has bytes left after its record throws <see cref="JuteException"/>:
/// the shell closes that connection. A defined op that Coordinator does not serve decodes to
/// <see cref="ZkUnsupportedRecord"/>, which is answered UNIMPLEMENTED.
/// </summary>
internal static class ZkRequestCodec
{
    public static ZkConnectRecord DecodeConnect(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        var connect = new ZkConnectRecord(reader.ReadInt(), reader.ReadLong(), reader.ReadInt(), reader.ReadLong(), reader.ReadBuffer(), false);
        if (!reader.AtEnd)
        {
            connect = connect with { ReadOnly = reader.ReadBool() };
        }
        End(ref reader, "ConnectRequest");
        return connect;
    }

    public static ZkPacket Decode(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        var xid = reader.ReadInt();
        var code = reader.ReadInt();
        if (!Enum.IsDefined((ZkOpCode)code) || (ZkOpCode)code is ZkOpCode.Notification or ZkOpCode.Error or ZkOpCode.CreateSession)
        {
            throw new JuteException($"unknown op code {code}");
        }
        var op = (ZkOpCode)code;
        var request = DecodeBody(ref reader, op);
        if (request is not ZkUnsupportedRecord)
        {
            End(ref reader, op.ToString());
        }
        return new ZkPacket(xid, op, request);
    }

    private static ZkRecord DecodeBody(ref JuteReader reader, ZkOpCode op)
    {
        switch (op)
        {
            case ZkOpCode.Ping or ZkOpCode.CloseSession:
                return ZkEmptyRecord.Instance;
            case ZkOpCode.Create or ZkOpCode.Create2 or ZkOpCode.CreateContainer or ZkOpCode.CreateTtl:
                return DecodeCreate(ref reader, op == ZkOpCode.CreateTtl);
            case ZkOpCode.Delete:
                return new ZkDeleteRecord(reader.ReadString(), reader.ReadInt());
            case ZkOpCode.Exists or ZkOpCode.GetData or ZkOpCode.GetChildren or ZkOpCode.GetChildren2:
                return new ZkReadRecord(reader.ReadString(), reader.ReadBool());
            case ZkOpCode.SetData:
                return new ZkSetDataRecord(reader.ReadString(), reader.ReadBuffer(), reader.ReadInt());
            case ZkOpCode.Check:
                return new ZkCheckRecord(reader.ReadString(), reader.ReadInt());
            case ZkOpCode.Sync or ZkOpCode.GetAcl or ZkOpCode.GetAllChildrenNumber or ZkOpCode.GetEphemerals:
                return new ZkPathRecord(reader.ReadString());
            case ZkOpCode.Multi:
                return DecodeMulti(ref reader);
            case ZkOpCode.SetWatches or ZkOpCode.SetWatches2:
                var relativeZxid = reader.ReadLong();
                var data = reader.ReadStringVector();
                var exist = reader.ReadStringVector();
                var child = reader.ReadStringVector();
                return op == ZkOpCode.SetWatches2
                    ? new ZkSetWatchesRecord(relativeZxid, data, exist, child, reader.ReadStringVector(), reader.ReadStringVector())
                    : new ZkSetWatchesRecord(relativeZxid, data, exist, child, [], []);
            case ZkOpCode.Auth:
                return new ZkAuthRecord(reader.ReadInt(), reader.ReadString(), reader.ReadBuffer());
            case ZkOpCode.SetAcl:
                return new ZkSetAclRecord(reader.ReadString(), reader.ReadAcls(), reader.ReadInt());
            case ZkOpCode.AddWatch:
                return new ZkAddWatchRecord(reader.ReadString(), reader.ReadInt());
            default:
                return ZkUnsupportedRecord.Instance;
        }
    }

    private static ZkCreateRecord DecodeCreate(ref JuteReader reader, bool withTtl)
    {
        var path = reader.ReadString();
        var data = reader.ReadBuffer();
        var acl = reader.ReadAcls();
        var flags = reader.ReadInt();
        return new ZkCreateRecord(path, data, flags, withTtl ? reader.ReadLong() : null, acl);
    }

    private static ZkMultiRecord DecodeMulti(ref JuteReader reader)
    {
        var ops = new List<ZkMultiOp>();
        while (true)
        {
            var type = reader.ReadInt();
            var done = reader.ReadBool();
            reader.ReadInt();
            if (done)
            {
                return new ZkMultiRecord(ops);
            }
            // Only write ops may be in a multi (getData/getChildren belong to multiRead, which is not served):
            // any other type leaves no way to know where its record ends.
            var op = (ZkOpCode)type;
            ZkRecord request = op switch
            {
                ZkOpCode.Create or ZkOpCode.Create2 or ZkOpCode.CreateContainer or ZkOpCode.CreateTtl => DecodeCreate(ref reader, op == ZkOpCode.CreateTtl),
                ZkOpCode.Delete => new ZkDeleteRecord(reader.ReadString(), reader.ReadInt()),
                ZkOpCode.SetData => new ZkSetDataRecord(reader.ReadString(), reader.ReadBuffer(), reader.ReadInt()),
                ZkOpCode.Check => new ZkCheckRecord(reader.ReadString(), reader.ReadInt()),
                _ => throw new JuteException($"op code {type} inside a multi"),
            };
            ops.Add(new ZkMultiOp(op, request));
        }
    }

    private static void End(ref JuteReader reader, string record)
    {
        if (!reader.AtEnd)
        {
            throw new JuteException($"{reader.Remaining} bytes after the {record}");
        }
    }
}
