package io.portcullis.admission;

import java.util.List;
import java.util.Map;

/** Who made the request ({@code request.userInfo}); absent fields are empty, never null. */
public record UserInfo(String username, String uid, List<String> groups, Map<String, List<String>> extra) {

    public static final UserInfo NONE = new UserInfo("", "", List.of(), Map.of());

    public UserInfo {
        groups = List.copyOf(groups);
        extra = Map.copyOf(extra);
    }
}
